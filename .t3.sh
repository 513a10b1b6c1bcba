export XDG_RUNTIME_DIR=/tmp/t3run; rm -rf $XDG_RUNTIME_DIR; mkdir -m 700 $XDG_RUNTIME_DIR
for i in 1 2 3 4 5; do
t0=$(date +%s%N)
node dist/cli.js network-holder n$i & 
while [ ! -S $XDG_RUNTIME_DIR/burrow/.networks/n$i/holder.sock ]; do sleep 0.002; done
t1=$(date +%s%N); echo "holder up: $(( (t1-t0)/1000000 )) ms"
done
t0=$(date +%s%N); node -e 0; t1=$(date +%s%N); echo "node -e 0: $(( (t1-t0)/1000000 )) ms"
t0=$(date +%s%N); node -e 'require("./dist/cli.js")'; t1=$(date +%s%N); echo "load cli.js: $(( (t1-t0)/1000000 )) ms"
t0=$(date +%s%N); unshare --user --map-auto --map-root-user --net /bin/sh -c 'ip link set lo up; ip link add br0 type bridge; ip link set br0 up'; t1=$(date +%s%N); echo "keeper work: $(( (t1-t0)/1000000 )) ms"
sleep 6; rm -rf $XDG_RUNTIME_DIR
