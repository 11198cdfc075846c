-- Producer and consumer as coroutines: the producer yields words one at a time,
-- a filter transforms them, and the consumer pulls until the producer is done.
local text = "the quick brown fox jumps over the lazy dog"

local function producer()
  return coroutine.create(function()
    for word in text:gmatch("%a+") do
      coroutine.yield(word)
    end
  end)
end

local function filter(source)
  return coroutine.create(function()
    local count = 0
    while true do
      local ok, word = coroutine.resume(source)
      if not ok or word == nil then
        return
      end
      count = count + 1
      coroutine.yield(string.format("%2d %s", count, word:upper()))
    end
  end)
end

local function consumer(source)
  local received = 0
  while true do
    local _, item = coroutine.resume(source)
    if item == nil then
      break
    end
    print(item)
    received = received + 1
  end
  return received
end

local n = consumer(filter(producer()))
print(string.format("consumed %d words", n))
