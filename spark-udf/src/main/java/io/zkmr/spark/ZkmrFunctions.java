package io.zkmr.spark;

import io.zkmr.Expected;
import io.zkmr.ZkmrException;
import io.zkmr.Zkmr;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.classic.UserDefinedFunctionUtils;
import org.apache.spark.sql.execution.aggregate.ScalaAggregator$;
import org.apache.spark.sql.expressions.SparkUserDefinedFunction;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.UserDefinedAggregator;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NullType;
import scala.Function1;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * zkmr's SQL functions for Spark, as the SQL specification ({@code docs/sql.md}) defines them:
 * {@code zkPartition}, {@code zkMatMul}, {@code zkCommit}, {@code zkVerify}, {@code
 * zkVerifyExplain}, {@code zkOpen} and {@code zkVerifyPartition}. Names are case-insensitive, as
 * Spark's are.
 *
 * <p>{@link #register(SparkSession)} adds them to a session; {@link ZkmrExtensions} adds them to
 * every session through {@code spark.sql.extensions}. Both register the same builders, which
 * pick the implementation from the call's argument count (the optional {@code x_scale_bits},
 * {@code x} and {@code job_root}).
 */
public final class ZkmrFunctions {
  private ZkmrFunctions() {}

  // One instance each: Spark compares UDF calls by their function object, and a
  // GROUP BY zkPartition(...) must equal the same call in the select list.
  private static final SparkUserDefinedFunction PARTITION_OF =
      udf("zkPartition", partitionOf(), DataTypes.LongType);
  private static final SparkUserDefinedFunction VERIFY =
      udf("zkVerify", verify(false), DataTypes.BooleanType);
  private static final SparkUserDefinedFunction VERIFY_X =
      named("zkVerify", functions.udf(verifyX(false), DataTypes.BooleanType));
  private static final SparkUserDefinedFunction VERIFY_EXPLAIN =
      udf("zkVerifyExplain", verify(true), DataTypes.StringType);
  private static final SparkUserDefinedFunction VERIFY_EXPLAIN_X =
      named("zkVerifyExplain", functions.udf(verifyX(true), DataTypes.StringType));
  private static final SparkUserDefinedFunction OPEN =
      named("zkOpen", functions.udf(open(), DataTypes.BinaryType));
  private static final SparkUserDefinedFunction VERIFY_PARTITION =
      udf("zkVerifyPartition", verifyPartition(), DataTypes.StringType);
  private static final SparkUserDefinedFunction VERIFY_PARTITION_X =
      named("zkVerifyPartition", functions.udf(verifyPartitionX(), DataTypes.StringType));
  private static final SparkUserDefinedFunction VERIFY_PARTITION_ROOT =
      named("zkVerifyPartition", functions.udf(verifyPartitionRoot(), DataTypes.StringType));
  private static final SparkUserDefinedFunction VERIFY_PARTITION_X_ROOT =
      named("zkVerifyPartition", functions.udf(verifyPartitionXRoot(), DataTypes.StringType));

  /** One function: its name, its usage line for {@code DESCRIBE FUNCTION}, its builder. */
  record Definition(String name, String usage, Function1<Seq<Expression>, Expression> builder) {
    FunctionIdentifier id() {
      return FunctionIdentifier.apply(name);
    }

    ExpressionInfo info() {
      return new ExpressionInfo(ZkmrFunctions.class.getName(), null, name, usage, "");
    }
  }

  /** Adds zkmr's functions to {@code spark}'s session. */
  public static void register(SparkSession spark) {
    var registry = ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry();
    for (Definition d : definitions()) {
      registry.createOrReplaceTempFunction(d.name(), d.builder(), "scala_udf");
    }
  }

  static List<Definition> definitions() {
    return List.of(
        new Definition(
            "zkPartition",
            "zkPartition(row, store | rows_per_partition) - the partition a row belongs to, the GROUP BY key of zkMatMul",
            children -> scalar(PARTITION_OF, 2, children)),
        new Definition(
            MatMulAggregator.NAME,
            MatMulAggregator.USAGE + " - proves one partition of A x; group by zkPartition(row, store)",
            ZkmrFunctions::matMul),
        new Definition(
            CommitAggregator.NAME,
            CommitAggregator.USAGE + " - verifies every partition, assembles y, the job root and the bundle",
            ZkmrFunctions::commit),
        new Definition(
            "zkVerify",
            "zkVerify(bundle, commitment [, x]) - true when the bundle proves y = A x for the matrix behind the commitment"
                + " (and for x: an array of numbers, an array of arrays, or its hex digest)",
            children -> expecting(children, 1, VERIFY, VERIFY_X)),
        new Definition(
            "zkVerifyExplain",
            "zkVerifyExplain(bundle, commitment [, x]) - 'verified: N partitions, x ..., job root ...' or 'rejected: ...' with the reason",
            children -> expecting(children, 1, VERIFY_EXPLAIN, VERIFY_EXPLAIN_X)),
        new Definition(
            "zkOpen",
            "zkOpen(bundle, partition, store) - one partition of a verified job, for a third party to check with zkVerifyPartition (pedersen)",
            children -> scalar(OPEN, 3, children)),
        new Definition(
            "zkVerifyPartition",
            "zkVerifyPartition(opening, commitment [, x [, job_root]]) - 'verified: partition P (rows a..b), x ..., job root ...'"
                + " or 'rejected: ...' with the reason",
            children ->
                expecting(
                    children, 2, VERIFY_PARTITION, VERIFY_PARTITION_X, VERIFY_PARTITION_ROOT, VERIFY_PARTITION_X_ROOT)));
  }

  private static Expression matMul(Seq<Expression> children) {
    int n = children.size();
    if (n != 4 && n != 5) {
      throw new ZkmrException(
          MatMulAggregator.NAME + " takes 4 or 5 arguments, not " + n + ": " + MatMulAggregator.USAGE);
    }
    MatMulAggregator aggregator =
        new MatMulAggregator(
            Metrics.of(SparkSession.active().sparkContext()), n == 5, Values.isBatch(children.apply(2).dataType()));
    return aggregate(functions.udaf(aggregator, aggregator.inputEncoder()), children);
  }

  private static Expression commit(Seq<Expression> children) {
    int n = children.size();
    if (n != 3 && n != 4) {
      throw new ZkmrException(
          CommitAggregator.NAME + " takes 3 or 4 arguments, not " + n + ": " + CommitAggregator.USAGE);
    }
    CommitAggregator aggregator = new CommitAggregator(n == 4, Values.isBatch(children.apply(2).dataType()));
    return aggregate(functions.udaf(aggregator, aggregator.inputEncoder()), children);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Expression aggregate(
      org.apache.spark.sql.expressions.UserDefinedFunction udaf, Seq<Expression> children) {
    return ScalaAggregator$.MODULE$.apply((UserDefinedAggregator) udaf, children);
  }

  private static SparkUserDefinedFunction udf(String name, UDF2<?, ?, ?> f, DataType type) {
    return named(name, functions.udf(f, type));
  }

  private static SparkUserDefinedFunction named(String name, UserDefinedFunction udf) {
    return (SparkUserDefinedFunction) udf.withName(name);
  }

  /**
   * A verifying function: what it checks and the trusted commitment, then up to {@code
   * optional} expectations ({@code x}, then {@code job_root}). One left out, or passed as the
   * untyped NULL literal, expects nothing (so {@code zkVerifyPartition(o, c, NULL, root)} checks
   * the root alone), as in DataFusion; a NULL value of a typed argument is a NULL verdict.
   * {@code forms[m]} takes the expectations the bits of {@code m} say were given (bit 0: {@code
   * x}, bit 1: {@code job_root}), after the first two arguments.
   */
  private static Expression expecting(Seq<Expression> children, int optional, SparkUserDefinedFunction... forms) {
    int n = children.size();
    if (n < 2 || n > 2 + optional) {
      throw new ZkmrException(forms[0].name() + " takes 2 to " + (2 + optional) + " arguments, not " + n);
    }
    List<Expression> args = new ArrayList<>(List.of(children.apply(0), children.apply(1)));
    int given = 0;
    for (int i = 2; i < n; i++) {
      Expression e = children.apply(i);
      if (!(e.dataType() instanceof NullType)) {
        given |= 1 << (i - 2);
        args.add(e);
      }
    }
    return UserDefinedFunctionUtils.toScalaUDF(forms[given], CollectionConverters.asScala(args).toSeq());
  }

  private static Expression scalar(SparkUserDefinedFunction udf, int arity, Seq<Expression> children) {
    if (children.size() != arity) {
      throw new ZkmrException(udf.name() + " takes " + arity + " arguments, not " + children.size());
    }
    return UserDefinedFunctionUtils.toScalaUDF(udf, children);
  }

  private static UDF2<Object, Object, Long> partitionOf() {
    return (row, by) -> {
      if (row == null || by == null) {
        return null;
      }
      long perPartition =
          by instanceof Number n
              ? n.longValue()
              : Stores.get(by.toString()).info().getMatrix().getRowsPerPartition();
      if (perPartition <= 0) {
        throw new ZkmrException("zkPartition: rows per partition must be positive, not " + perPartition);
      }
      return ((Number) row).longValue() / perPartition;
    };
  }

  private static UDF2<byte[], String, Object> verify(boolean explain) {
    return (bundle, commitment) -> verdict(explain, bundle, commitment, Expected.anything());
  }

  /**
   * zkVerify and zkVerifyExplain with the x the caller asked about: a bundle for any other x is
   * false ("rejected: x: ..."). A NULL value of x is a NULL verdict, as for the other
   * arguments, never a check without x.
   */
  private static UDF3<byte[], String, Object, Object> verifyX(boolean explain) {
    return (bundle, commitment, x) -> {
      if (x == null) {
        return null;
      }
      return verdict(explain, bundle, commitment, Values.expectedX(x, m -> failure(verifier(explain), m)));
    };
  }

  private static String verifier(boolean explain) {
    return explain ? "zkVerifyExplain" : "zkVerify";
  }

  /** The verdict, or a failure naming the function where an argument is not what it takes. */
  private static Object verdict(boolean explain, byte[] bundle, String commitment, Expected expected) {
    if (bundle == null || commitment == null) {
      return null;
    }
    try {
      var verdict = Zkmr.verify(bundle, commitment, expected);
      return explain ? verdict.getMessage() : (Object) verdict.getVerified();
    } catch (ZkmrException e) {
      throw failure(verifier(explain), e.getMessage());
    }
  }

  private static ZkmrException failure(String function, String message) {
    return new ZkmrException(function + ": " + message);
  }

  /**
   * zkOpen: the store's holder shows one partition of a job to a third party. The opening's proof
   * is made with the store's secret, so it runs where the store is, through the executor's
   * cache; a bundle that does not verify against the store gets no opening.
   */
  private static UDF3<byte[], Object, String, byte[]> open() {
    return (bundle, partition, store) -> {
      if (bundle == null || partition == null || store == null) {
        return null;
      }
      if (!(partition instanceof Integer || partition instanceof Long || partition instanceof Short
          || partition instanceof Byte)) {
        throw new ZkmrException("zkOpen: partition must be an integer, not " + partition);
      }
      long index = ((Number) partition).longValue();
      if (index < 0 || index > Integer.MAX_VALUE) {
        throw new ZkmrException("zkOpen: partition " + index + " is out of range");
      }
      try {
        return Stores.get(store).openPartition(bundle, (int) index);
      } catch (ZkmrException e) {
        throw new ZkmrException("zkOpen: " + e.getMessage(), e);
      }
    };
  }

  /**
   * zkVerifyPartition: the third party's check, which needs only the opening and the trusted
   * commitment. Like zkVerifyExplain it answers bad bytes with "rejected: ..." rather than
   * failing the query; only a commitment, x digest or job root that is not hex fails it.
   */
  private static UDF2<byte[], String, String> verifyPartition() {
    return (opening, commitment) -> openingVerdict(opening, commitment, Expected.anything());
  }

  /** zkVerifyPartition with the x the caller asked about (a NULL x: a NULL verdict). */
  private static UDF3<byte[], String, Object, String> verifyPartitionX() {
    return (opening, commitment, x) -> x == null ? null : openingVerdict(opening, commitment, expectedX(x));
  }

  /** zkVerifyPartition with the root of the job the partition must belong to (NULL: NULL). */
  private static UDF3<byte[], String, String, String> verifyPartitionRoot() {
    return (opening, commitment, jobRoot) ->
        jobRoot == null ? null : openingVerdict(opening, commitment, Expected.anything().withJobRoot(jobRoot));
  }

  /** zkVerifyPartition with the x and the root of the job the partition must belong to. */
  private static UDF4<byte[], String, Object, String, String> verifyPartitionXRoot() {
    return (opening, commitment, x, jobRoot) ->
        x == null || jobRoot == null
            ? null
            : openingVerdict(opening, commitment, expectedX(x).withJobRoot(jobRoot));
  }

  private static Expected expectedX(Object x) {
    return Values.expectedX(x, m -> failure("zkVerifyPartition", m));
  }

  private static String openingVerdict(byte[] opening, String commitment, Expected expected) {
    if (opening == null || commitment == null) {
      return null;
    }
    try {
      return Zkmr.verifyOpening(opening, commitment, expected).getMessage();
    } catch (ZkmrException e) {
      throw failure("zkVerifyPartition", e.getMessage());
    }
  }
}
