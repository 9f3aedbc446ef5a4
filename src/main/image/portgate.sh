#!/bin/sh
# portgate @VERSION@, runtime image launcher: runs this image's own java (a jlink runtime with only the modules
# portgate needs) on lib/portgate.jar with the JVM flags portgate needs. No JDK, JAVA_HOME or PATH entry is used.
#   PORTGATE_JAVA_OPTS  more JVM options, added after the built-in flags (for example -Xmx1g, which replaces the
#                       default heap limit)
# Its own failures are one line on stderr and exit 3; everything else is portgate's (0, 1 or 2).
# POSIX sh: it runs under dash, busybox and bash alike.

fail() {
  echo "portgate: $*" >&2
  exit 3
}

# Find the image from this script's own path, following symbolic links (/usr/local/bin/portgate -> here).
self=$0
while [ -h "$self" ]; do
  link=$(readlink "$self") || fail "cannot follow the symbolic link $self; run the image's bin/portgate directly"
  case $link in
    /*) self=$link ;;
    *) self=$(dirname "$self")/$link ;;
  esac
done
image=$(CDPATH='' cd -- "$(dirname -- "$self")/.." 2>/dev/null && pwd -P) ||
  fail "cannot find the runtime image from $0; run bin/portgate from inside the unpacked image"

java=$image/bin/java
jar=$image/lib/portgate.jar
[ -x "$java" ] || fail "$java is missing or not executable: the image at $image is incomplete; unpack it again"
[ -f "$jar" ] || fail "$jar is missing: the image at $image is incomplete; unpack it again"

built_for=@MACHINE@
machine=$(uname -m 2>/dev/null) || machine=unknown
[ "$machine" = "$built_for" ] ||
  fail "this image was built for Linux on $built_for and this machine is $machine; use the image built for $machine"

# Memory (README, "Memory"): a bounded heap and the G1 collector unless PORTGATE_JAVA_OPTS says otherwise. They go
# before the user's options; a heap size or a collector there replaces ours (two collectors, or -Xms above the
# user's -Xmx, would stop the JVM). Direct memory is bounded by buffer-memory in the configuration, not by the JVM,
# whose limit would otherwise default to -Xmx. The same defaults as ./portgate in the repository.
heap="-Xms64m -Xmx512m"
gc="-XX:+UseG1GC"
direct="-XX:MaxDirectMemorySize=1t"
case " ${PORTGATE_JAVA_OPTS:-} " in
  *" -Xmx"*|*" -Xms"*|*"-XX:MaxHeapSize="*|*"-XX:InitialHeapSize="*|*"-XX:MinHeapSize="*|*"RAMPercentage="*|*"-XX:MaxRAM="*)
    heap="" ;;
esac
case " ${PORTGATE_JAVA_OPTS:-} " in
  *"-XX:+Use"*"GC "*) gc="" ;;
esac
case " ${PORTGATE_JAVA_OPTS:-} " in
  *"-XX:MaxDirectMemorySize="*) direct="" ;;
esac

# The flags are set once in the parent POM (portgate.jvm.flags); the jar's manifest carries the --add-exports and
# --enable-native-access ones as well, for java -jar on a full JDK. Word splitting of the lists is intended.
# shellcheck disable=SC2086
exec "$java" @JVM_FLAGS@ $heap $gc $direct ${PORTGATE_JAVA_OPTS:-} -jar "$jar" "$@"
