#!/usr/bin/env sh
# TrailKeep's nightly pipeline on any Spark cluster (YARN, Kubernetes, standalone) with
# spark-submit. Set the variables, then run this file (or copy the line). On a cluster whose Spark
# lacks Delta Lake or hadoop-aws, the --packages line fetches them (Spark 3.5: delta-spark_2.12
# 3.3.2 and hadoop-aws 3.3.4 for Hadoop 3.3; Spark 4: delta-spark_2.13 4.0.1 with the Spark 4
# jar); on EMR and Glue, leave it out and use the platform's (see README.md).
#   TRAILKEEP_JAR  the job jar (target/trailkeep-spark3.5-<version>.jar or the Spark 4 one)
#   RAW            the raw bucket, e.g. s3a://my-cloudtrail-bucket
#   LAKE           the lake, e.g. s3a://my-lake-bucket/trailkeep
set -eu
exec spark-submit \
  --deploy-mode cluster \
  --class io.trailkeep.cli.Main \
  --packages io.delta:delta-spark_2.12:3.3.2,org.apache.hadoop:hadoop-aws:3.3.4 \
  --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
  --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog \
  "${TRAILKEEP_JAR:?set TRAILKEEP_JAR to the job jar}" \
  nightly --raw "${RAW:?set RAW}" --lake "${LAKE:?set LAKE}" \
  --set "nightly.steps=ingest,validate,maintain,detect,correlate" --json
