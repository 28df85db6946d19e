#!/usr/bin/env bash
# solr/launcher/solr.sh node PORT HOME | cloud PORT HOME COLLECTION
# Runs Apache Solr 9.10.1 (Launcher.java) in the foreground with schemas/solr as
# its configset; prints "READY <url>..." once Solr answers. The first run
# fetches Solr from Maven Central into $SOLR_STACK/m2 and compiles the launcher
# into $SOLR_STACK/solr-launcher; later runs work offline.
# Variables: SOLR_STACK (default <repository>/.stack), SOLR_MAVEN_REPO (Maven's
# local repository, default $SOLR_STACK/m2), SOLR_HEAP (per JVM, 512m).
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

exec java -Xmx"${SOLR_HEAP:-512m}" -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dsolr.log.muteconsole -Dlog4j2.configurationFile="$here/log4j2.xml" \
    -cp "$build/classes:$(cat "$build/classpath")" ca.quebec.donnees.solr.Launcher \
    "$1" "$2" "$3" "$root/schemas/solr" "${@:4}"
