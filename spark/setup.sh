#!/usr/bin/env bash
# Installs what the local EMR needs to really run Spark steps, idempotently:
#   - PySpark (PyPI, pinned in requirements.txt) into spark/.venv
#   - the jars that stand in for EMR's /usr/share/aws/... ones, plus hadoop-aws for s3:// on the
#     local S3, from Maven Central (pom.xml) into spark/jars
# Needs python3 (with venv), Java 17 and Maven; installs Java/Maven with apt-get when missing and root.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "spark/setup.sh: please install ${need_apt[*]} (Java 17 and Maven)" >&2
    exit 1
  fi
fi

python=${PYTHON:-python3}
changed=0
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
req_sha=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat .venv/.requirements.sha256 2>/dev/null)" != "$req_sha" ]; then
  echo "spark/setup.sh: installing $(grep -v '^#' requirements.txt | tr '\n' ' ')into spark/.venv" >&2
  .venv/bin/pip install --disable-pip-version-check -q -r requirements.txt
  echo "$req_sha" > .venv/.requirements.sha256
  changed=1
fi

pom_sha=$(sha256sum pom.xml | cut -d' ' -f1)
if [ "$(cat jars/.pom.sha256 2>/dev/null)" != "$pom_sha" ]; then
  echo "spark/setup.sh: fetching jars from Maven Central into spark/jars" >&2
  rm -rf jars
  # Jackson, httpclient & co. are left out: Spark ships its own (newer) copies.
  mvn -q -B dependency:copy-dependencies -DoutputDirectory=jars \
    -DexcludeGroupIds=com.fasterxml.jackson.core,com.fasterxml.jackson.dataformat,org.apache.httpcomponents,joda-time,commons-logging,commons-codec,org.checkerframework
  echo "$pom_sha" > jars/.pom.sha256
  changed=1
fi
# Quiet (and quick: importing pyspark takes a second) when everything was already there.
[ "$changed" = 1 ] || exit 0
echo "spark/setup.sh: PySpark $(.venv/bin/python -c 'import pyspark; print(pyspark.__version__)') and $(ls jars/*.jar | wc -l) jars ready" >&2
