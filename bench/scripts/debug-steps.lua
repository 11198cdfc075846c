-- A loop to step through (bench/lib/case-debugger-control.ts): the case stops at the marked
-- line, steps over arg[1] times (over the call to add, too), then clears its breakpoint and
-- lets the loop run out.
local n = tonumber(arg and arg[1]) or 1000

local function add(a, b)
  return a + b
end

local acc = 0
for i = 1, n do
  local x = add(i, 1) -- @bench:step-start
  acc = acc + x
end
print("steps", n, acc)
