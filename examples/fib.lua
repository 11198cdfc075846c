-- Some honest CPU work: naive recursive Fibonacci, timed.
-- Usage: llmspell run examples/fib.lua [n]   (default 30)
local function fib(n)
  if n < 2 then
    return n
  end
  return fib(n - 1) + fib(n - 2)
end

local n = tonumber(arg[1]) or 30
local started = os.clock()
local result = fib(n)
local elapsed = os.clock() - started

print(string.format("fib(%d) = %d", n, result))
print(string.format("took %.3f s of CPU time", elapsed))
