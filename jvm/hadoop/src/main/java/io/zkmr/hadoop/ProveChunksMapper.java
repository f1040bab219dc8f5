package io.zkmr.hadoop;

import io.zkmr.ArrowBatches;
import io.zkmr.BatchFile;
import io.zkmr.ZkStore;
import io.zkmr.ZkmrException;
import io.zkmr.proto.ChunkOutput;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.Mapper;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.InvalidRecordException;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * The map step of {@link ZkBatchJob}: the inputs of one Parquet split, {@link ZkBatchJob#CHUNK}
 * at a time, each chunk proved as one job against the store this task opened. A chunk's bundle
 * goes to a file named by this attempt (a retried or speculated attempt writes its own), its
 * report (count, job root, file) to the reducer under a key that sorts by input file, split and
 * chunk, and its outputs to this task's {@code y} file, {@code id<TAB>y0,y1,...} per line.
 */
public class ProveChunksMapper extends Mapper<Void, Group, Text, Text> {
  private final List<Long> ids = new ArrayList<>();
  private final List<double[]> xs = new ArrayList<>();
  private ZkStore store;
  private int chunk;
  private int index;
  private long record;
  private String idColumn;
  private String xColumn;
  private String splitKey;
  private Writer y;
  /** Set when a record is rejected: Hadoop still runs cleanup, which must not mask the reason. */
  private boolean rejected;

  @Override
  protected void setup(Context context) {
    Configuration conf = context.getConfiguration();
    chunk = conf.getInt(ZkBatchJob.CHUNK, 1024);
    idColumn = conf.get(ZkBatchJob.ID_COLUMN, "row");
    xColumn = conf.get(ZkBatchJob.X_COLUMN, "values");
    InputSplit split = context.getInputSplit();
    splitKey =
        split instanceof FileSplit file
            ? String.format("%s\t%020d", file.getPath(), file.getStart())
            : split.toString();
    store = ZkMatMulJob.openStore(conf);
    String held = store.info().getMatrixCommitment();
    String expected = conf.get(ZkBatchJob.JOB_COMMITMENT);
    if (!held.equals(expected)) {
      throw new ZkmrException(
          "the key store on this node commits to " + held + ", not the job's " + expected
              + ": it was replaced or rewritten during the job");
    }
  }

  @Override
  protected void map(Void key, Group input, Context context) throws IOException, InterruptedException {
    try {
      ids.add(id(input));
      xs.add(vector(input));
      record++;
      if (ids.size() == chunk) {
        prove(context);
      }
    } catch (ZkmrException e) {
      rejected = true;
      throw e;
    }
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    try {
      if (!rejected && !ids.isEmpty()) {
        prove(context);
      }
      if (y != null) {
        y.close();
      }
    } finally {
      store.close();
    }
  }

  /** Where the failing record is: the split and its place in it. */
  private String at() {
    return "record " + record + " of split " + splitKey.replace('\t', '@');
  }

  private long id(Group input) {
    try {
      if (input.getFieldRepetitionCount(idColumn) == 0) {
        throw new ZkmrException(at() + ": column " + idColumn + " is null");
      }
      return input.getLong(idColumn, 0);
    } catch (InvalidRecordException | ClassCastException e) {
      throw new ZkmrException(at() + ": no int64 column " + idColumn + " (" + e.getMessage() + ")");
    }
  }

  /** The vector of a list column, in Parquet's three-level layout or the legacy two-level one. */
  private double[] vector(Group input) {
    Group list;
    try {
      if (input.getFieldRepetitionCount(xColumn) == 0) {
        throw new ZkmrException(at() + ": column " + xColumn + " is null");
      }
      list = input.getGroup(xColumn, 0);
    } catch (InvalidRecordException | ClassCastException e) {
      throw new ZkmrException(at() + ": no list column " + xColumn + " (" + e.getMessage() + ")");
    }
    int n = list.getFieldRepetitionCount(0);
    double[] x = new double[n];
    Type repeated = list.getType().getType(0);
    for (int i = 0; i < n; i++) {
      Group holder = list;
      int at = i;
      if (!repeated.isPrimitive()) {
        holder = list.getGroup(0, i);
        at = 0;
        if (holder.getFieldRepetitionCount(0) == 0) {
          throw new ZkmrException(at() + ": " + xColumn + "[" + i + "] is null");
        }
      }
      x[i] = number(holder, at, i);
    }
    return x;
  }

  private double number(Group holder, int at, int i) {
    GroupType type = holder.getType();
    PrimitiveType.PrimitiveTypeName kind = type.getType(0).asPrimitiveType().getPrimitiveTypeName();
    return switch (kind) {
      case DOUBLE -> holder.getDouble(0, at);
      case FLOAT -> holder.getFloat(0, at);
      case INT64 -> holder.getLong(0, at);
      case INT32 -> holder.getInteger(0, at);
      default -> throw new ZkmrException(at() + ": " + xColumn + "[" + i + "] is " + kind + ", not a number");
    };
  }

  /** Proves the chunk held, reports it and writes its outputs. */
  private void prove(Context context) throws IOException, InterruptedException {
    long started = System.nanoTime();
    ChunkOutput job;
    try {
      byte[] x = ArrowBatches.vectors(xs.toArray(new double[0][]));
      xs.clear(); // the heap holds a chunk's inputs once, as the IPC bytes, while it is proved
      job = store.proveVectors(x, -1);
    } catch (ZkmrException e) {
      rejected = true;
      throw new ZkmrException("inputs " + ids.get(0) + ".. (chunk " + index + " of split "
          + splitKey.replace('\t', '@') + "): " + e.getMessage());
    }
    context.getCounter(ZkBatchJob.Counters.PROVING_MS).increment((System.nanoTime() - started) / 1_000_000);
    Configuration conf = context.getConfiguration();
    String file =
        BatchFile.writeChunk(
            FileOutputFormat.getOutputPath(context),
            context.getTaskAttemptID() + "-" + index + ".bundle",
            job.getBundle(),
            conf);
    context.write(
        new Text(String.format("%s\t%010d", splitKey, index)),
        new Text(job.getVectors() + "\t" + job.getJobRoot() + "\t" + file));
    if (y == null) {
      Path yFile = new Path(FileOutputFormat.getWorkOutputPath(context),
          String.format("y-m-%05d", context.getTaskAttemptID().getTaskID().getId()));
      y = new OutputStreamWriter(yFile.getFileSystem(conf).create(yFile, false), StandardCharsets.UTF_8);
    }
    int rows = job.getYCount() / ids.size();
    StringBuilder line = new StringBuilder();
    for (int b = 0; b < ids.size(); b++) {
      line.setLength(0);
      line.append(ids.get(b)).append('\t');
      for (int i = 0; i < rows; i++) {
        line.append(i == 0 ? "" : ",").append(job.getY(b * rows + i));
      }
      y.write(line.append('\n').toString());
    }
    context.getCounter(ZkBatchJob.Counters.INPUTS).increment(ids.size());
    context.getCounter(ZkBatchJob.Counters.CHUNKS).increment(1);
    index++;
    ids.clear();
  }
}
