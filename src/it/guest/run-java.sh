#!/bin/bash
# Guest side of the VM suite (run by run-guest.sh -H, so this is the host's bash and JDKs inside the guest).
#   run-java.sh JAVA_HOME TRACE CLASSPATH MAIN [ARGS...]
# Prints the device's sysfs size and align, runs MAIN on JAVA_HOME -- under strace when TRACE is 1 -- and then
# prints the trace lines that concern the device (every system call on a descriptor of /dev/dax0.0, as strace -y
# names it, every msync, any SIGBUS) prefixed with "STRACE ", for the host to check. Exit code: the JVM's.
set -u
jdk=$1 trace=$2 cp=$3; shift 3
dev=/dev/dax0.0
if [ -c $dev ]; then
    mm=$(stat -c '%t:%T' $dev); sys=/sys/dev/char/$((0x${mm%:*})):$((0x${mm#*:}))
    echo "DAX device=$dev size=$(cat $sys/size) align=$(cat $sys/align) kernel=$(uname -r)"
else
    echo "DAX device=$dev missing"
fi
java=("$jdk/bin/java" -XX:+UseSerialGC -Xmx768m -XX:ErrorFile=/tmp/hs_err_%p.log --enable-native-access=ALL-UNNAMED
      -cp "$cp" "$@")
[ -x "$jdk/bin/java" ] || { echo "no JDK at $jdk"; exit 3; }
if [ "$trace" = 1 ]; then
    command -v strace >/dev/null || { echo "CHECK FAIL strace: no strace on the host (apt-get install strace)"; exit 3; }
    mkdir -p /tmp/strace
    # -ff: one file per thread, so no call is split by another thread's; -y: descriptors with their paths;
    # --seccomp-bpf: only the traced calls stop the JVM
    strace -ff -y --seccomp-bpf -o /tmp/strace/t -e trace=%desc,mmap,munmap,mremap,msync "${java[@]}"
    rc=$?
    files=$(ls /tmp/strace | wc -l)
    calls=$(cat /tmp/strace/t.* | grep -c '^[a-z_0-9]*(')
    echo "STRACE-SUMMARY threads=$files calls=$calls"
    cat /tmp/strace/t.* | grep -e "</dev/dax0.0>" -e '^msync(' -e SIGBUS | sed 's/^/STRACE /'
else
    "${java[@]}"
    rc=$?
fi
for f in /tmp/hs_err_*.log; do   # a JVM crash: what the host needs to see of it
    [ -f "$f" ] && sed 's/^/HS_ERR /' "$f"
done
echo "JAVA-EXIT-CODE=$rc"
exit $rc
