#!/usr/bin/env bash
# solr/launcher/solr.sh node PORT HOME | cloud PORT HOME COLLECTION
#                       | seed PORT HOME [ZKPORT] | join PORT HOME ZKHOST
# Runs Apache Solr 9.10.1 (Launcher.java) in the foreground with schemas/solr as
# its configset; prints "READY <url>..." once Solr answers. cloud: a SolrCloud of
# two nodes, each a JVM of its own (seed: ZooKeeper on PORT+1000 and the first
# node on PORT; join: the second node on PORT+1, in HOME/node2), and collection
# COLLECTION of 2 shards x 2 replicas; stopping this script stops both. The first run
# fetches Solr from Maven Central into $SOLR_STACK/m2 and compiles the launcher
# into $SOLR_STACK/solr-launcher; later runs work offline.
# Variables: SOLR_STACK (default <repository>/.stack), SOLR_MAVEN_REPO (Maven's
# local repository, default $SOLR_STACK/m2), SOLR_HEAP (per JVM, 512m), SOLR_OPTS
# (more java options, e.g. -Dsolr.zkclienttimeout=8000).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
stack=${SOLR_STACK:-"$root/.stack"}
build="$stack/solr-launcher"
source="$here/src/main/java/ca/quebec/donnees/solr/Launcher.java"
class="$build/classes/ca/quebec/donnees/solr/Launcher.class"
mkdir -p "$build"

build_launcher() {
    local maven=(mvn -B -q -f "$here/pom.xml" -Dmaven.repo.local="${SOLR_MAVEN_REPO:-$stack/m2}"
                 dependency:build-classpath -Dmdep.outputFile="$build/classpath")
    "${maven[@]}" -o >/dev/null 2>&1 || "${maven[@]}" >"$build/maven.log" 2>&1 \
        || { tail -20 "$build/maven.log" >&2; echo "Could not fetch Solr from Maven Central; see $build/maven.log" >&2; exit 1; }
    rm -rf "$build/classes"
    javac -nowarn -d "$build/classes" -cp "$(cat "$build/classpath")" "$source"
}

# Two processes (a test session per CKAN version) may start at once: one builds.
exec 9>"$build/.lock"
flock 9
if [ ! -f "$class" ] || [ "$source" -nt "$class" ] || [ "$here/pom.xml" -nt "$class" ]; then
    build_launcher
fi
flock -u 9
exec 9>&-

if [ "$1" = cloud ]; then
    port=$2 home=$3 collection=$4
    mkdir -p "$home"
    trap 'trap - TERM EXIT; kill -TERM $(jobs -p) 2>/dev/null; wait' TERM INT EXIT
    # The words after WORD (READY once Solr answers) that "$0 MODE ..." prints in OUT.
    answer() {
        until grep -q "^$1 " "$2"; do
            kill -0 "$3" 2>/dev/null || { echo "Solr stopped; see $2 and the log" >&2; exit 1; }
            sleep 0.5
        done
        sed -n "s/^$1 //p" "$2"
    }
    # Their standard input is this script's (bash would give background jobs /dev/null),
    # which SOLR_LAUNCHER_WATCH_STDIN watches.
    "$0" seed "$port" "$home" <&0 > "$home/seed.out" &
    seed_pid=$!
    zk=$(answer ZOOKEEPER "$home/seed.out" $seed_pid)
    "$0" join $((port + 1)) "$home/node2" "$zk" <&0 > "$home/node2.out" &
    second=$(answer READY "$home/node2.out" $!)
    seed=$(answer READY "$home/seed.out" $seed_pid)
    seed=${seed%% *}
    curl -fsS -o /dev/null "$seed/admin/collections?action=CREATE&name=$collection&numShards=2&replicationFactor=2&collection.configName=quebec&waitForFinalState=true"
    echo "READY $seed $second"
    wait
    exit
fi

# shellcheck disable=SC2086
exec java -Xmx"${SOLR_HEAP:-512m}" ${SOLR_OPTS:-} -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dsolr.log.muteconsole -Dlog4j2.configurationFile="$here/log4j2.xml" \
    -cp "$build/classes:$(cat "$build/classpath")" ca.quebec.donnees.solr.Launcher \
    "$1" "$2" "$3" "$root/schemas/solr" "${@:4}"
