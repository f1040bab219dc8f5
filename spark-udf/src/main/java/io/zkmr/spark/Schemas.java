package io.zkmr.spark;

import io.zkmr.Zkmr;
import io.zkmr.proto.JobOutput;
import io.zkmr.proto.PartitionOutput;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The result structs of the SQL specification ({@code docs/sql.md}), as Spark types and rows. */
final class Schemas {
  private Schemas() {}

  static final ArrayType DOUBLES = DataTypes.createArrayType(DataTypes.DoubleType, false);

  /** What {@code zkMatMul} returns for one partition. */
  static final StructType PARTITION =
      new StructType()
          .add("partition", DataTypes.LongType, false)
          .add("row_start", DataTypes.LongType, false)
          .add("row_end", DataTypes.LongType, false)
          .add("y", DOUBLES, false)
          .add("key_digest", DataTypes.StringType, true)
          .add("leaf", DataTypes.StringType, false)
          .add("proof", DataTypes.BinaryType, false)
          .add("prove_seconds", DataTypes.DoubleType, false)
          .add("result", DataTypes.BinaryType, false);

  /** What {@code zkCommit} returns for a job. */
  static final StructType JOB =
      new StructType()
          .add("matrix_commitment", DataTypes.StringType, false)
          .add("job_root", DataTypes.StringType, false)
          .add("y", DOUBLES, false)
          .add("y_scale_bits", DataTypes.LongType, false)
          .add("partitions", DataTypes.LongType, false)
          .add("bundle", DataTypes.BinaryType, false)
          .add("vectors", DataTypes.LongType, false)
          .add("y_error_bound", DataTypes.DoubleType, false)
          .add("x", DOUBLES, false)
          .add("x_digest", DataTypes.StringType, false);

  static Row partition(PartitionOutput out) {
    return RowFactory.create(
        (long) out.getIndex(),
        out.getRowStart(),
        out.getRowEnd(),
        doubles(out.getYList()),
        // Under pedersen a partition has no key of its own: NULL, as in DataFusion.
        out.getKeyDigest().isEmpty() ? null : out.getKeyDigest(),
        out.getLeaf(),
        out.getResult().getProof().getProof().toByteArray(),
        out.getProveSeconds(),
        out.getResult().toByteArray());
  }

  static Row job(JobOutput out) {
    return RowFactory.create(
        out.getMatrixCommitment(),
        out.getJobRoot(),
        doubles(out.getYList()),
        (long) out.getYScaleBits(),
        (long) out.getPartitions(),
        out.getBundle().toByteArray(),
        (long) out.getVectors(),
        out.getYErrorBound(),
        Zkmr.decode(out.getXList(), out.getXEncoding()),
        out.getXDigest());
  }

  private static double[] doubles(java.util.List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static StructType inputs(String[] names, DataType[] types) {
    StructType schema = new StructType();
    for (int i = 0; i < names.length; i++) {
      schema = schema.add(names[i], types[i], true);
    }
    return schema;
  }
}
