-- A job: prove every partition of y = A x, assemble y and the job root, verify the bundle.
--   zkmr sql --file examples/sql/job.sql --param x=@examples/vector.json --bundle-out job.bundle
-- then, anywhere: zkmr verify --bundle job.bundle --commitment <matrix_commitment>
CREATE EXTERNAL TABLE matrix STORED AS PARQUET LOCATION 'examples/matrix.parquet';

WITH parts AS (
  SELECT zkMatMul(row, values, $x, 'target/zkmr-example/keys') AS part
  FROM matrix
  GROUP BY zkPartition(row, 'target/zkmr-example/keys')
), job AS (
  SELECT zkCommit(part, 'target/zkmr-example/keys', $x) AS job FROM parts
)
SELECT job['matrix_commitment'] AS matrix_commitment,
       job['job_root'] AS job_root,
       job['y'] AS y,
       zkVerify(job['bundle'], job['matrix_commitment'], $x) AS verified,
       job['bundle'] AS bundle
FROM job;
