-- One row per partition: what each map-side zkMatMul proved.
--   zkmr sql --file examples/sql/partitions.sql --param x=@examples/vector.json
CREATE EXTERNAL TABLE matrix STORED AS PARQUET LOCATION 'examples/matrix.parquet';

SELECT part['partition'] AS partition, part['row_start'] AS row_start, part['row_end'] AS row_end,
       part['leaf'] AS leaf, part['prove_seconds'] AS prove_seconds
FROM (
  SELECT zkMatMul(row, values, $x, 'target/zkmr-example/keys') AS part
  FROM matrix
  GROUP BY zkPartition(row, 'target/zkmr-example/keys')
)
ORDER BY partition;
