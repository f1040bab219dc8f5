package io.zkmr.hadoop;

import io.zkmr.HadoopStoreFiles;
import io.zkmr.ZkStore;
import io.zkmr.ZkmrException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.conf.Configured;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.MRJobConfig;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.NLineInputFormat;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.util.Tool;
import org.apache.hadoop.util.ToolRunner;

/**
 * Proves {@code y = A x} as a MapReduce job:
 *
 * <pre>
 * hadoop jar zkmr-hadoop.jar io.zkmr.hadoop.ZkMatMulJob \
 *     -D zkmr.store=/keys -D zkmr.vector=/x.json matrix.csv out/
 * </pre>
 *
 * <p>The input is text, one matrix row per line ({@code row,v0,v1,...}), or with {@code -D
 * zkmr.entries=true} one coordinate entry per line ({@code row,col,value}: an edge list, {@link
 * #ENTRIES}); the key store comes from {@code zkmr commit}. Under a scheme that proves the job from {@code y} alone (the default,
 * pedersen: {@link #ROW_PRODUCTS}), splits are Hadoop's usual ones, rows in any order: each mapper
 * multiplies the rows of its split where they are stored and emits only their products, and the
 * one reducer proves the job from them. Under a scheme that proves partitions in the tasks
 * (halo2), rows come in row order and each split is one partition ({@link NLineInputFormat} with
 * the store's rows per partition), proved by its mapper. Either way one reducer checks every
 * mapper's output, assembles {@code y} and writes the bundle ({@code job.bundle}) and the job's
 * summary ({@code job.json}) to the output directory. Counters (group {@code zkmr}): rows,
 * partitions proved in mappers, MACs and milliseconds in the native library.
 *
 * <p>The driver reads the vector once and puts it in the job's configuration ({@link #X}): the
 * mappers prove it and the reducer commits the job for it, so a mapper that proved another
 * {@code x} is named as faulty rather than deciding what the job proves. With {@code -D
 * zkmr.commitment=HEX} (the commitment the store's holder published) every task refuses a store
 * that commits to another matrix.
 */
public final class ZkMatMulJob extends Configured implements Tool {
  /** The key store directory, as {@code zkmr commit} wrote it. */
  public static final String STORE = "zkmr.store";
  /** The vector: a JSON array of numbers. */
  public static final String VECTOR = "zkmr.vector";
  /** Fixed-point scale of x in bits; by default 0 for integers and 16 otherwise. */
  public static final String X_SCALE_BITS = "zkmr.x.scale.bits";
  /** The job's x, set by the driver from {@link #VECTOR}: its entries, comma-separated. */
  public static final String X = "zkmr.x";
  /** Optional: the matrix commitment (64 hex digits) the key store must commit to. */
  public static final String COMMITMENT = "zkmr.commitment";
  /**
   * Set by {@link #create} from the store: true when mappers multiply any rows and send their
   * products ({@code ZkStore.rowProducts}), false when each proves one whole partition.
   */
  public static final String ROW_PRODUCTS = "zkmr.row.products";
  /**
   * Set to true when the input holds coordinate entries, one per line ({@code row,col,value}: an
   * edge list; zeros may be left out) rather than rows; needs a scheme that proves the job from
   * {@code y} alone. A row's entries may be in several splits: each mapper sends partial sums.
   */
  public static final String ENTRIES = "zkmr.entries";

  /** Counters shown with the job. */
  public enum Counters {
    ROWS,
    ENTRIES,
    PARTITIONS,
    MACS,
    PROVING_MS
  }

  @Override
  public int run(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println(
          "usage: hadoop jar zkmr-hadoop.jar io.zkmr.hadoop.ZkMatMulJob -D "
              + STORE
              + "=DIR -D "
              + VECTOR
              + "=FILE <matrix input> <output dir>");
      return 2;
    }
    Job job = create(getConf(), new org.apache.hadoop.fs.Path(args[0]), new org.apache.hadoop.fs.Path(args[1]));
    return job.waitForCompletion(true) ? 0 : 1;
  }

  /**
   * The key store {@link #STORE} names, on any Hadoop file system ({@code hdfs://nn/keys}, or a
   * path on the default file system); tasks read the files they need from there. Refused when
   * {@link #COMMITMENT} is set and the store commits to another matrix.
   */
  static ZkStore openStore(Configuration conf) {
    return ZkStore.open(new HadoopStoreFiles(conf.get(STORE), conf), conf.get(COMMITMENT));
  }

  /** The job's x, as the driver put it in the configuration. */
  static double[] x(Configuration conf) {
    String[] entries = conf.getStrings(X);
    if (entries == null) {
      throw new ZkmrException(X + " is not set: create the job with ZkMatMulJob.create");
    }
    double[] x = new double[entries.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = Double.parseDouble(entries[i]);
    }
    return x;
  }

  /** The vector file {@link #VECTOR} names (a JSON array of numbers), read by the driver. */
  static double[] readVector(Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(conf.get(VECTOR));
    String json;
    try (var in = FileSystem.get(path.toUri(), conf).open(path)) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    if (!json.startsWith("[") || !json.endsWith("]")) {
      throw new ZkmrException(path + ": the vector must be a JSON array of numbers");
    }
    String[] parts = json.substring(1, json.length() - 1).split(",");
    double[] x = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        x[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new ZkmrException(path + ": vector index " + i + ": \"" + parts[i].trim() + "\" is not a number");
      }
    }
    return x;
  }

  /** {@code x} as {@link #X} holds it: each entry as Java prints it, which parses back exactly. */
  static String xSetting(double[] x) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < x.length; i++) {
      s.append(i == 0 ? "" : ",").append(x[i]);
    }
    return s.toString();
  }

  /**
   * The job over {@code input}, writing to {@code output}; one split per partition. Reads the
   * vector into the job's configuration and checks the store (and its commitment, when given).
   */
  public static Job create(Configuration conf, org.apache.hadoop.fs.Path input, org.apache.hadoop.fs.Path output)
      throws Exception {
    String store = conf.get(STORE);
    if (store == null || conf.get(VECTOR) == null) {
      throw new IllegalArgumentException("set -D " + STORE + "=DIR and -D " + VECTOR + "=FILE");
    }
    int rowsPerPartition;
    boolean rowProducts;
    try (ZkStore keys = openStore(conf)) {
      rowsPerPartition = keys.info().getMatrix().getRowsPerPartition();
      rowProducts = keys.rowProducts();
    }
    if (conf.getBoolean(ENTRIES, false) && !rowProducts) {
      throw new IllegalArgumentException(
          "-D " + ENTRIES + "=true: the store's scheme proves whole partitions in the mappers; give the matrix as rows");
    }
    Job job = Job.getInstance(conf, "zkmr: prove A x with " + store);
    job.getConfiguration().set(X, xSetting(readVector(conf)));
    job.getConfiguration().setBoolean(ROW_PRODUCTS, rowProducts);
    job.setJarByClass(ZkMatMulJob.class);
    if (!rowProducts) {
      job.setInputFormatClass(NLineInputFormat.class);
      NLineInputFormat.setNumLinesPerSplit(job, rowsPerPartition);
    }
    FileInputFormat.addInputPath(job, input);
    FileOutputFormat.setOutputPath(job, output);
    job.setMapperClass(MatrixRowsMapper.class);
    job.setMapOutputKeyClass(LongWritable.class);
    job.setMapOutputValueClass(BytesWritable.class);
    job.setReducerClass(CommitJobReducer.class);
    job.setNumReduceTasks(1);
    job.setOutputKeyClass(NullWritable.class);
    job.setOutputValueClass(NullWritable.class);
    addArrowOpens(job);
    return job;
  }

  /** Adds {@link #ARROW_OPENS} to the map and reduce JVM options of {@code job}, after the user's. */
  static void addArrowOpens(Job job) {
    for (String key : new String[] {MRJobConfig.MAP_JAVA_OPTS, MRJobConfig.REDUCE_JAVA_OPTS}) {
      String opts = job.getConfiguration().get(key, "");
      if (!opts.contains(ARROW_OPENS)) {
        job.getConfiguration().set(key, (opts + " " + ARROW_OPENS).trim());
      }
    }
  }

  /**
   * What Arrow's memory needs on Java 17 in every task JVM (it reaches into {@code
   * java.nio.DirectByteBuffer}); added to the map and reduce JVM options, after the user's.
   */
  static final String ARROW_OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED";

  public static void main(String[] args) throws Exception {
    System.exit(ToolRunner.run(new Configuration(), new ZkMatMulJob(), args));
  }
}
