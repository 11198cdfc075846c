-- One hot line for conditional breakpoints and log points (bench/lib/case-debugger-hot-line.ts):
-- the marked line runs arg[1] times, without calls, so what a breakpoint there costs is not
-- mixed with call hooks. Prints the loop's own time.
local n = tonumber(arg and arg[1]) or 300000

-- The hot section's time, printed as "elapsed <wall s> <cpu s>": wall is os.clock() (under
-- wasmoon, wall time in the runtime's worker, 1 ms steps); cpu is this thread's own CPU time
-- from Linux's /proc/thread-self/schedstat (ns), unaffected by other load on the machine,
-- or -1 where that file does not exist.
local function thread_cpu()
  local f = io.open("/proc/thread-self/schedstat")
  if not f then return nil end
  local ns = f:read("n")
  f:close()
  return ns
end

local function report(wall0, cpu0)
  local wall, cpu = os.clock() - wall0, thread_cpu()
  print(string.format("elapsed %.6f %.9f", wall, cpu and cpu0 and (cpu - cpu0) / 1e9 or -1))
end

local function hot(count)
  local acc = 0
  for i = 1, count do
    acc = acc + i % 7 -- @bench:hot-line
  end
  return acc
end

print("begin")
local wall0, cpu0 = os.clock(), thread_cpu()
local acc = hot(n)
report(wall0, cpu0)
print("hot-line", n, acc)
