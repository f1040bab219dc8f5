-- Setup, once per matrix: make the key store and print the matrix commitment.
--   zkmr sql --file examples/sql/commit.sql
CREATE EXTERNAL TABLE matrix STORED AS PARQUET LOCATION 'examples/matrix.parquet';

SELECT zkCommitMatrix(row, values, 'target/zkmr-example/keys') AS m FROM matrix;
