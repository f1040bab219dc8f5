package io.zkmr.hadoop;

import java.io.IOException;

/**
 * {@link MatrixRowsMapper} as the YARN suite runs it: it records the JVM each task runs in
 * (a counter in group {@link #JVMS} named {@code pid main-class}), and with {@link #FAIL_SPLIT}
 * set, the first attempt of that split dies before multiplying, as a lost node's task would.
 */
public final class ClusterMapper extends MatrixRowsMapper {
  static final String JVMS = "zkmr.test.jvm";
  static final String FAIL_SPLIT = "zkmr.test.fail.split";

  @Override
  protected void setup(Context context) throws IOException, InterruptedException {
    super.setup(context);
    context
        .getCounter(JVMS, ProcessHandle.current().pid() + " " + System.getProperty("sun.java.command", "").split(" ")[0])
        .increment(1);
    var attempt = context.getTaskAttemptID();
    if (attempt.getTaskID().getId() == context.getConfiguration().getInt(FAIL_SPLIT, -1) && attempt.getId() == 0) {
      throw new IOException("the first attempt of split " + attempt.getTaskID().getId() + " fails on purpose");
    }
  }
}
