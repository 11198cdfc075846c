local Account = {}
Account.__index = Account

function Account.new(owner, balance)
  local self = setmetatable({}, Account)
  self.owner = owner
  self.balance = balance or 0
  return self
end

function Account:deposit(amount)
  self.balance = self.balance + amount
  return self.balance
end

function Account:withdraw(amount)
  if amount > self.balance then
    return nil, "insufficient funds"
  end
  self.balance = self.balance - amount
  return self.balance
end

function Account:__tostring()
  return string.format("%-5s %6.2f", self.owner, self.balance)
end

return Account
