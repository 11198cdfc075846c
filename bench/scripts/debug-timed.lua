-- Runs another benchmark script and prints how long it ran, for the debugger cases
-- (bench/lib/case-debugger-idle.ts), so worker start-up, VM creation and debugger set-up are
-- left out of the figure. arg[1] = path of the script to run, arg[2..] = its arguments.

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

-- Never called: the case sets a breakpoint in it to measure what an armed breakpoint that is
-- never reached costs the rest of the program.
local function never_called(x)
  return x + 1 -- @bench:never-called
end

local script = assert(arg[1], "usage: debug-timed.lua SCRIPT [ARGS...]")
local rest = { table.unpack(arg, 2) }
arg = { [0] = script, table.unpack(rest) }

local wall0, cpu0 = os.clock(), thread_cpu()
dofile(script)
report(wall0, cpu0)
