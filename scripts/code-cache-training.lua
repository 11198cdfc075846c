-- Run under the debugger by `npm run build` (scripts/bundle.mjs) before it saves V8's code cache
-- of the runtime worker: the functions this run calls are then compiled before any runtime starts.
local accounts = {}

local function deposit(name, amount)
  local balance = (accounts[name] or 0) + amount
  accounts[name] = balance
  return balance
end

for i = 1, 3 do
  deposit("account " .. i, i * 10)
end
print(string.format("%d accounts", #accounts))
