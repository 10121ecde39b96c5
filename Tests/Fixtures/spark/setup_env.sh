#!/usr/bin/env bash
# Prepare the environment for make_tables.py (not run by CI; only the committed output is used).
#
#   Tests/Fixtures/spark/setup_env.sh [DIR]      # DIR defaults to /tmp/lakeingest-spark-env
#
# Produces:
#   DIR/venv/                         Python virtualenv with pyspark==3.5.8 (needs Java 17 on PATH)
#   DIR/jars/iceberg-spark-runtime-3.5_2.12-1.10.2.jar
#                                     from the PyPI package snowpark-connect-deps-iceberg==1.0.3
#   DIR/jars/iceberg-shaded-jackson-2.15.2.jar
#                                     pyspark's Jackson 2.15.2 relocated to
#                                     org.apache.iceberg.shaded.com.fasterxml.jackson (the runtime
#                                     jar above references but lacks these classes)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DIR="${1:-/tmp/lakeingest-spark-env}"
PY="${PYTHON:-python3}"
mkdir -p "$DIR/jars" "$DIR/download"
if [ ! -x "$DIR/venv/bin/python" ]; then
  "$PY" -m venv "$DIR/venv"
fi
"$DIR/venv/bin/pip" install -q "pyspark==3.5.8"
"$DIR/venv/bin/pip" download -q --no-deps "snowpark-connect-deps-iceberg==1.0.3" -d "$DIR/download"
WHL="$(ls "$DIR"/download/snowpark_connect_deps_iceberg-1.0.3-*.whl | head -1)"
"$DIR/venv/bin/python" - "$WHL" "$DIR/jars" <<'EOF'
import sys, zipfile, os
whl, out = sys.argv[1], sys.argv[2]
name = "snowpark_connect_deps_iceberg/jars/iceberg-spark-runtime-3.5_2.12-1.10.2.jar"
with zipfile.ZipFile(whl) as z, open(os.path.join(out, os.path.basename(name)), "wb") as f:
    f.write(z.read(name))
EOF
SITE="$("$DIR/venv/bin/python" -c 'import pyspark, os; print(os.path.dirname(pyspark.__file__))')"
"$DIR/venv/bin/python" "$HERE/relocate_jackson.py" --pyspark-jars "$SITE/jars" \
  --out "$DIR/jars/iceberg-shaded-jackson-2.15.2.jar"
ls -l "$DIR/jars"
echo "ready: $DIR/venv/bin/python $HERE/make_tables.py --out $HERE --jars $DIR/jars"
