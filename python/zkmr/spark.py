"""zkmr's SQL functions on a PySpark session, so the SQL of ``docs/sql.md`` runs as written::

    from zkmr import spark as zkspark
    spark = zkspark.session("local[2]")
    spark.sql("SELECT zkCommitMatrix(row, values, 'keys') FROM matrix")

The functions live in the project's Spark jar (``spark-udf/target/zkmr-spark-<version>.jar``,
built by ``mvn -B package -DskipTests``), which carries the native library. The helpers find
it from the ``jar`` argument, ``$ZKMR_SPARK_JAR``, or the build directory of the zkmr checkout
the current directory is in.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from .errors import ZkmrError

if TYPE_CHECKING:  # pyspark is optional: only these helpers need it
    from pyspark.sql import SparkSession

#: The class that adds the functions to every session through ``spark.sql.extensions``.
EXTENSIONS = "io.zkmr.spark.ZkmrExtensions"
#: The class whose ``register`` adds them to one session.
FUNCTIONS = "io.zkmr.spark.ZkmrFunctions"


def jar_path(jar: Optional[str] = None) -> str:
    """The Spark jar to load: ``jar``, ``$ZKMR_SPARK_JAR``, or ``spark-udf/target``'s jar in
    the zkmr checkout around the current directory. Raises :class:`ZkmrError` naming where
    it looked when none exists."""
    candidates = [jar] if jar else []
    if not candidates and os.environ.get("ZKMR_SPARK_JAR"):
        candidates = [os.environ["ZKMR_SPARK_JAR"]]
    if not candidates:
        for directory in [Path.cwd(), *Path.cwd().parents]:
            built = sorted(glob.glob(str(directory / "spark-udf" / "target" / "zkmr-spark-*.jar")))
            candidates.extend(p for p in built if not p.endswith(("-sources.jar", "-tests.jar")))
            if candidates:
                break
    for candidate in candidates:
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    looked = ", ".join(candidates) or "spark-udf/target/zkmr-spark-*.jar above the current directory"
    raise ZkmrError(
        f"the zkmr Spark jar was not found (looked at {looked}); build it with "
        "`mvn -B package -DskipTests` in the zkmr checkout, or pass jar= or set $ZKMR_SPARK_JAR"
    )


def session(
    master: Optional[str] = "local[2]",
    *,
    jar: Optional[str] = None,
    app_name: str = "zkmr",
    **conf: str,
) -> "SparkSession":
    """A SparkSession with the zkmr jar on its classpath and the functions registered in
    every session it makes (``spark.sql.extensions``). ``conf`` adds Spark settings
    (dots as given: ``session(**{"spark.executor.memory": "4g"})``); ``master=None`` keeps
    the one ``spark-submit`` chose."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    builder = builder.config("spark.jars", jar_path(jar)).config("spark.sql.extensions", EXTENSIONS)
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    register(spark)
    return spark


def register(spark: "SparkSession") -> "SparkSession":
    """Adds the zkmr functions to ``spark``, a session started with the jar on its classpath
    (``session()``, ``spark-submit --jars`` or ``spark.jars``). Raises :class:`ZkmrError`
    when the jar is missing from it: the JVM's classpath is fixed once the session starts."""
    jvm = spark.sparkContext._jvm
    loader = jvm.java.lang.Thread.currentThread().getContextClassLoader()
    try:
        jvm.java.lang.Class.forName(FUNCTIONS, True, loader)
    except Exception as err:  # py4j raises Py4JJavaError for ClassNotFoundException
        raise ZkmrError(
            f"{FUNCTIONS} is not on this session's classpath; start it with zkmr.spark.session() "
            f"or with spark.jars set to {_jar_hint()}"
        ) from err
    jvm.io.zkmr.spark.ZkmrFunctions.register(spark._jsparkSession)
    return spark


def _jar_hint() -> str:
    try:
        return jar_path()
    except ZkmrError:
        return "the zkmr Spark jar"
