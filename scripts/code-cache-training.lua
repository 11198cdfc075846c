-- Run under the debugger by `npm run build` (scripts/bundle.mjs) before it saves V8's code cache
-- of the runtime worker: the functions this run calls are then compiled before any runtime starts.
-- The build sets its breakpoint at line 7.
local balances = {}

local function deposit(name, amount)
  local balance = (balances[name] or 0) + amount
  balances[name] = balance
  return balance
end

local total = 0
for i = 1, 3 do
  total = total + deposit("account " .. i, i * 10)
end
print(string.format("%d in 3 accounts", total))
