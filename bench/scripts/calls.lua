-- Function calls: naive recursive Fibonacci (about 2.7 million calls for n = 30).
-- arg[1] = n; the default is the full benchmark size.
local n = tonumber(arg and arg[1]) or 35

local function fib(k)
  if k < 2 then return k end
  return fib(k - 1) + fib(k - 2)
end

print("calls", n, fib(n))
