#!/bin/sh
# The demo: builds everything, starts a simulated fleet of 3 Messaging Server hosts (Solaris, 6.2p3)
# on 127.0.0.11-13:2222 and the service on http://localhost:8080 (H2 under ./data, demo users).
# Ctrl-C stops both. State is kept in ./demo-fleet and ./data between runs; delete them to start over.
set -eu
cd "$(dirname "$0")"

if [ "${SKIP_BUILD:-}" != "1" ]; then
  ./mvnw -q -DskipTests install
fi
mkdir -p demo-fleet
rm -f demo-fleet/ready
( java -jar simulator/target/msgsrv-simulator.jar --hosts 3 --dir demo-fleet --name demo \
    > demo-fleet/simulator.log 2>&1 ) &
SIMULATOR=$!
trap 'kill $SIMULATOR 2>/dev/null || true' EXIT INT TERM

i=0
until grep -q 'Running until killed' demo-fleet/simulator.log 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 150 ] || ! kill -0 $SIMULATOR 2>/dev/null; then
    echo "the simulator did not start; see demo-fleet/simulator.log" >&2
    cat demo-fleet/simulator.log >&2 || true
    exit 1
  fi
  sleep 0.2
done
cat demo-fleet/simulator.log

# the Directory Manager password of the demo, by name (never a process variable): a 0600 secrets file
if [ ! -f demo-fleet/secrets.properties ]; then
  (umask 077 && printf 'ds-manager=demo-directory-manager-password\n' > demo-fleet/secrets.properties)
fi

java -jar service/target/msgsrv-upgrade-service.jar --spring.profiles.active=demo "$@"
