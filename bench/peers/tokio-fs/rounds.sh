#!/usr/bin/env bash
# rounds.sh WORKLOAD ARGS...: runs the file workloads interleaved (weft, jdk-vt, tokio, ...) in a
# fresh process each, ROUNDS times (default 3), keeps every RESULT line in RESULTS_DIR/results.txt
# and prints per impl the median of the key figure and its ratio to the first impl.
#   bench/peers/tokio-fs/rounds.sh files-read 1024 64
#   bench/peers/tokio-fs/rounds.sh files-storm 10000 4096 64
#   IMPLS="weft weft-pool jdk-vt tokio" ROUNDS=5 bench/peers/tokio-fs/rounds.sh files-storm
# Env: JAVA (a JDK 25 java), JAR (default bench/target/weft-bench.jar), JVM_FLAGS.
set -u -o pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
W="$1"; shift
ROUNDS="${ROUNDS:-3}"
IMPLS="${IMPLS:-weft jdk-vt tokio}"
JAVA="${JAVA:-java}"  # a JDK 25: set JAVA to it when the default java is older
JAR="${JAR:-$ROOT/bench/target/weft-bench.jar}"
JVM_FLAGS="${JVM_FLAGS:---add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dio.netty.leakDetection.level=disabled -Xms1g -Xmx1g}"
RESULTS_DIR="${RESULTS_DIR:-$ROOT/results/$W-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RESULTS_DIR"
case "$W" in files-read) KEY=mb_per_s ;; files-storm) KEY=files_per_s ;; *) echo "workload: files-read|files-storm" >&2; exit 2 ;; esac
for r in $(seq 1 "$ROUNDS"); do
  for i in $IMPLS; do
    uptime >> "$RESULTS_DIR/load.txt"
    if [[ $i == tokio ]]; then line=$("$HERE/target/release/tokio-fs-peer" "$W" "$@" | grep '^RESULT')
    else line=$($JAVA $JVM_FLAGS -jar "$JAR" "$W" "$@" "$i" | grep '^RESULT'); fi
    echo "$line round=$r" | tee -a "$RESULTS_DIR/results.txt" >&2
  done
done
first=""
for i in $IMPLS; do
  med=$(grep " impl=$i " "$RESULTS_DIR/results.txt" | sed -n "s/.* $KEY=\([0-9.]*\).*/\1/p" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  [[ -z $first ]] && first=$med
  printf '%-12s %s=%-10s ratio_to_first=%.2f\n' "$i" "$KEY" "$med" "$(awk -v a="$med" -v b="$first" 'BEGIN{print a/b}')"
done | tee "$RESULTS_DIR/table.txt"
echo "results: $RESULTS_DIR" >&2
