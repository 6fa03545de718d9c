"""Recipe: repair a text column with vnfix in PySpark, one Fixer per Python worker.

The whole recipe is ``fix_column`` below: ``DataFrame.mapInPandas`` hands each
Python worker an iterator of Arrow batches (as pandas frames); the worker takes
its ``Fixer`` from ``vnfix.fixer.get_fixer`` - a cache in the vnfix module, so
with Spark's default ``spark.python.worker.reuse=true`` the lexicons are loaded
once per worker process, not once per task or per batch - and fixes the column
value by value. Missing values (null) stay null.

Needs ``pip install pyspark vnfix`` on the driver and every executor (the same
Python), and Java 17+. Run locally on a real input (as for
benchmarks/results/spark.md):

    .venv/bin/python examples/spark_recipe.py --mb 25            # builds a 25 MB input, local[2]
    .venv/bin/python examples/spark_recipe.py --input pages.parquet --column text --output fixed.parquet

Without ``--input`` it builds a table of OCR pages (one row per page of
build/ocr_pairs/ocr.txt, repeated until ``--mb``; without those, paragraphs of
the law corpus with their marks stripped), writes it as Parquet, fixes it,
writes the result as Parquet, checks a sample of rows against
``vnfix.fix_text`` in the driver, and prints (and with ``--results`` writes)
a markdown table of the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from vnfix import Config

# -- the recipe ---------------------------------------------------------------------------------

def fix_column(df, column: str, output_column: str | None = None, config: Config | None = None):  # type: ignore[no-untyped-def]
    """``df`` (a Spark DataFrame) with the text ``column`` fixed, into ``output_column`` (default: in place)."""
    from pyspark.sql.types import StringType, StructField, StructType

    output = output_column or column
    options = dataclasses.asdict(config or Config())  # plain values: pickled to the workers with the function
    fields = [f for f in df.schema.fields if f.name != output] + [StructField(output, StringType(), True)]
    schema = StructType(fields)
    names = [f.name for f in fields]

    def fix_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from vnfix.fixer import get_fixer

        fixer = get_fixer(**options)  # one per worker process, kept between tasks
        for pdf in batches:
            pdf[output] = [fixer.fix_text(t) if isinstance(t, str) else None for t in pdf[column]]
            yield pdf[names]

    return df.mapInPandas(fix_batches, schema)


# -- running it on a real input --------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
OCR = ROOT / "build" / "ocr_pairs"
LAWS = ROOT.parent / "shared" / "corpora" / "vlc-legal" / "laws.txt"


def documents() -> tuple[list[str], str]:
    """One text per OCR page (lines grouped by the page column of meta.tsv), or law paragraphs unmarked."""
    ocr, meta = OCR / "ocr.txt", OCR / "meta.tsv"
    if ocr.exists() and meta.exists():
        pages: dict[str, list[str]] = {}
        with open(ocr, encoding="utf-8") as lines, open(meta, encoding="utf-8") as rows:
            for line, row in zip(lines, rows):
                pages.setdefault(row.split("\t", 1)[0], []).append(line)
        return ["".join(p) for p in pages.values()], "OCR pages of build/ocr_pairs (one row per page)"
    from vnfix.syllable import strip_marks

    text = strip_marks(LAWS.read_text(encoding="utf-8"))
    paras = text.splitlines(keepends=True)
    return ["".join(paras[i:i + 20]) for i in range(0, len(paras), 20)], "law corpus, marks stripped, 20 lines a row"


def build_table(path: Path, mb: float, seed: int = 7) -> tuple[int, int, str]:
    docs, source = documents()
    rng = random.Random(seed)
    rows: list[str] = []
    size = 0
    while size < mb * 1e6:
        order = docs[:]
        rng.shuffle(order)
        for d in order:
            rows.append(d)
            size += len(d.encode("utf-8"))
    frame = pd.DataFrame({"id": range(len(rows)), "text": pd.Series(rows, dtype=object)})
    frame.loc[frame.index % 997 == 5, "text"] = None  # a few missing texts: they must stay null
    frame.to_parquet(path, index=False)
    words = sum(len(t.split()) for t in frame["text"] if isinstance(t, str))
    return len(frame), words, f"{source}: {len(docs)} distinct documents, shuffled rounds, every 997th text null"


def main() -> None:
    ap = argparse.ArgumentParser(description="vnfix in PySpark with mapInPandas")
    ap.add_argument("--input", type=Path, help="a Parquet file (or directory) with a text column; default: build one")
    ap.add_argument("--column", default="text")
    ap.add_argument("--output", type=Path, help="where to write the fixed table (Parquet); default: a temp dir")
    ap.add_argument("--mb", type=float, default=25.0, help="size of the built input (default 25 MB)")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=0, help="repartition to this many (default: 8 per core)")
    ap.add_argument("--sample", type=int, default=300, help="rows checked against vnfix.fix_text in the driver")
    ap.add_argument("--results", type=Path, help="write the markdown table here too")
    args = ap.parse_args()

    import subprocess
    import warnings

    warnings.filterwarnings("ignore", message=".*pandas >= 3.0.0.*")  # PySpark 4.x's notice; the recipe works
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False).stderr.splitlines()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    import vnfix

    tmp = Path(tempfile.mkdtemp(prefix="vnfix-spark-"))
    try:
        if args.input is None:
            src = tmp / "input.parquet"
            t0 = time.perf_counter()
            nrows, words, described = build_table(src, args.mb)
            print(f"input: {nrows:,} rows, {words:,} words, built in {time.perf_counter() - t0:.0f} s", flush=True)
        else:
            src, described = args.input, str(args.input)
        out = args.output or tmp / "output.parquet"

        t0 = time.perf_counter()
        spark = (SparkSession.builder.master(args.master).appName("vnfix-recipe")
                 .config("spark.driver.memory", "2g")
                 .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                 .config("spark.sql.execution.arrow.maxRecordsPerBatch", "1000")
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        cores = spark.sparkContext.defaultParallelism
        startup = time.perf_counter() - t0

        df = spark.read.parquet(str(src))
        texts = df.select(args.column).toPandas()[args.column].dropna()
        nrows = df.count()
        words = int(texts.map(lambda t: len(t.split())).sum())
        text_mb = texts.map(lambda t: len(t.encode("utf-8"))).sum() / 1e6
        del texts
        partitions = args.partitions or 8 * cores
        df = df.repartition(partitions)

        t1 = time.perf_counter()
        fix_column(df, args.column, output_column="fixed").write.mode("overwrite").parquet(str(out))
        wall = time.perf_counter() - t1
        print(f"fixed {nrows:,} rows in {wall:.0f} s", flush=True)

        result = spark.read.parquet(str(out)).toPandas().sort_values("id")
        spark.stop()

        rng = random.Random(1)
        sample = result.iloc[rng.sample(range(len(result)), min(args.sample, len(result)))]
        nulls = result[result[args.column].isna()].head(3)  # a missing text must come back null
        checked = pd.concat([sample, nulls])
        mismatches = 0
        for text, got in zip(checked[args.column], checked["fixed"]):
            want = vnfix.fix_text(text) if isinstance(text, str) else None
            mismatches += want != (got if isinstance(got, str) else None)
        complete = len(result) == nrows and result["id"].tolist() == sorted(set(result["id"].tolist()))
    finally:
        if args.output is None:
            shutil.rmtree(tmp, ignore_errors=True)

    import pyspark

    table = f"""# vnfix in PySpark (mapInPandas)

`python examples/spark_recipe.py --mb {args.mb:g}` with PySpark {pyspark.__version__}, master `{args.master}`
({cores} cores), {platform.machine()}, Python {platform.python_version()}, {java[0] if java else 'Java ?'};
{time.strftime('%Y-%m-%d %H:%M')}.

Input: {described}; {nrows:,} rows, {words:,} words, {text_mb:.1f} MB of text,
repartitioned into {partitions} partitions. Default `Config()`.

| measure | value |
| --- | ---: |
| rows | {nrows:,} |
| wall time (fix + write Parquet) | {wall:.1f} s |
| throughput | {words / wall:,.0f} words/s, {text_mb / wall:.2f} MB/s |
| Spark session start | {startup:.1f} s |
| rows checked against `vnfix.fix_text` in the driver | {len(checked)} ({len(sample)} random, {len(nulls)} null) |
| mismatches | {mismatches} |
| all rows back, ids complete | {'yes' if complete else 'NO'} |
"""
    print(table)
    if args.results:
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(table, encoding="utf-8")
    if mismatches or not complete:
        sys.exit(1)


if __name__ == "__main__":
    main()
