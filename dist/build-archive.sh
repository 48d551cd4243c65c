#!/usr/bin/env bash
# Builds the release archive dittofs-VERSION-linux-ARCH.tar.gz from the packaged server:
#   runtime/           a jlink image of JDK 25: the modules jdeps finds in the jars, plus tools
#   app/               dittofs.jar, lib/*.jar (signatures stripped: UnsignJars.java), jvm.options
#   dfs, dfsctl        the launchers (they use runtime/ when it is there)
#   dittofs.service    the systemd unit; config.example.yaml; README.md
# Usage: build-archive.sh VERSION REPO_ROOT OUT_DIR. Only the build machine's OS/architecture:
# jlink links the JDK it runs from (JDK 25 has no jmods to link another platform's image).
set -euo pipefail
VERSION=$1; ROOT=$(cd "$2" && pwd); OUT=$3
T0=$(date +%s)
JDK=""
for c in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
  [ -x "$c/bin/jlink" ] || continue
  v=$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  if [ "$v" = 25 ]; then JDK=$c; break; fi
done
[ -n "$JDK" ] || { echo "build-archive: no JDK 25 with jlink (looked at \$JAVA_HOME and /usr/lib/jvm)" >&2; exit 1; }
SRC="$ROOT/controlplane/target"
for f in dittofs.jar jvm.options lib; do
  [ -e "$SRC/$f" ] || { echo "build-archive: $SRC/$f is missing: package controlplane first" >&2; exit 1; }
done
case "$(uname -s)" in Linux) OS=linux;; Darwin) OS=darwin;; *) OS=$(uname -s | tr A-Z a-z);; esac
ARCH=$(uname -m); [ "$ARCH" = arm64 ] && ARCH=aarch64
NAME="dittofs-$VERSION"
STAGE="$OUT/archive/$NAME"
rm -rf "$OUT/archive"; mkdir -p "$STAGE/app/lib"
cp "$SRC/dittofs.jar" "$SRC/jvm.options" "$STAGE/app/"
cp "$SRC"/lib/*.jar "$STAGE/app/lib/"
# signed jars (bcprov) cost heap and metaspace for signature checks at class loading: strip them
"$JDK/bin/java" "$ROOT/dist/UnsignJars.java" "$STAGE/app/lib"
for j in "$STAGE"/app/lib/*.jar; do
  if "$JDK/bin/jar" tf "$j" | grep -qiE '^META-INF/[^/]+\.(SF|RSA|DSA|EC)$'; then
    echo "build-archive: $j is still signed" >&2; exit 1
  fi
done

# modules: what the jars use (jdeps), plus what they reach by reflection or operators need:
# JFR streaming and jcmd (profiling, JFR.dump, Thread.print), DNS for JNDI, Kerberos (SMB),
# extra charsets, zip file systems
MODS=$("$JDK/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 25 -q \
  --class-path "$STAGE/app/lib/*" "$STAGE/app/dittofs.jar")
[ -n "$MODS" ] || { echo "build-archive: jdeps found no modules in $STAGE/app" >&2; exit 1; }
MODS=$(echo "$MODS,jdk.jfr,jdk.management.jfr,jdk.jcmd,jdk.naming.dns,java.security.jgss,jdk.security.auth,jdk.charsets,jdk.zipfs" \
  | tr , '\n' | sort -u | paste -sd, -)
"$JDK/bin/jlink" --add-modules "$MODS" --strip-debug --no-man-pages --no-header-files \
  --output "$STAGE/runtime"

cp "$ROOT/dfs" "$ROOT/dfsctl" "$STAGE/"
chmod 0755 "$STAGE/dfs" "$STAGE/dfsctl"
cp "$ROOT/docker/dittofs.service" "$ROOT/README.md" "$STAGE/"
# the sample config: every key with its default, commented out; no secret (generated at first start)
"$STAGE/runtime/bin/java" -jar "$STAGE/app/dittofs.jar" init --config "$OUT/archive/config.tmp" >/dev/null
sed -E 's/^(  )secret: .*/\1# secret: ""/' "$OUT/archive/config.tmp" > "$STAGE/config.example.yaml"
rm -f "$OUT/archive/config.tmp"
grep -q '# secret: ""' "$STAGE/config.example.yaml" || { echo "build-archive: cannot blank the secret" >&2; exit 1; }
echo "$VERSION" > "$STAGE/VERSION"
echo "$MODS" > "$STAGE/runtime/MODULES"

ARCHIVE="$OUT/$NAME-$OS-$ARCH.tar.gz"
tar -C "$OUT/archive" -czf "$ARCHIVE" "$NAME"
rm -rf "$OUT/archive"
echo "build-archive: $ARCHIVE ($(du -h "$ARCHIVE" | cut -f1), $(( $(date +%s) - T0 )) s; modules $MODS)"
