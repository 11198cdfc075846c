-- A script that never ends, to measure pause latency (bench/lib/case-debugger-control.ts):
-- the case waits for "spinning", then pauses, continues, pauses, ... and terminates it.
print("spinning")
while true do end
