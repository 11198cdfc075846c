local Account = require("account")

local function total(accounts)
  local sum = 0
  for _, account in ipairs(accounts) do
    sum = sum + account.balance
  end
  return sum
end

local function close(accounts, owner)
  for i, account in ipairs(accounts) do
    if account.owner == owner then
      accounts[i] = nil
      return account.balance
    end
  end
  return 0
end

local accounts = {
  Account.new("ana", 100),
  Account.new("bo", 50),
  Account.new("cy", 75),
  Account.new("dee"),
}

accounts[1]:deposit(25)
accounts[2]:withdraw(20)
accounts[4]:deposit(40)

local ok, err = accounts[3]:withdraw(500)
if not ok then
  print("cy cannot withdraw 500: " .. err)
end

local refund = close(accounts, "bo")
accounts[1]:deposit(refund)

for i = 1, 4 do
  if accounts[i] then
    print(tostring(accounts[i]))
  end
end
print(string.format("total %.2f", total(accounts)))
