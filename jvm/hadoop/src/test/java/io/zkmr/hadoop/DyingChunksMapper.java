package io.zkmr.hadoop;

import java.io.IOException;
import org.apache.parquet.example.data.Group;

/**
 * {@link ProveChunksMapper} as the YARN suite runs it: the first attempt of every split dies
 * after {@link #AFTER} inputs, once it has proved and written a chunk, as a task on a lost node
 * would. The retry proves the split again into files of its own.
 */
public final class DyingChunksMapper extends ProveChunksMapper {
  static final String AFTER = "zkmr.test.die.after";
  private long seen;

  @Override
  protected void map(Void key, Group input, Context context) throws IOException, InterruptedException {
    super.map(key, input, context);
    if (context.getTaskAttemptID().getId() == 0 && ++seen == context.getConfiguration().getLong(AFTER, -1)) {
      throw new IOException("the first attempt dies after " + seen + " inputs, on purpose");
    }
  }
}
