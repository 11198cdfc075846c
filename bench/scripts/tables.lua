-- Table churn: fill, iterate and empty the array part and the hash part, round after round.
-- arg[1] = rounds; the default is the full benchmark size.
local rounds = tonumber(arg and arg[1]) or 60
local N = 10000

local keys = {}
for i = 1, N do keys[i] = "key" .. i end

local sum = 0
for r = 1, rounds do
  -- Array part: append two ways, iterate two ways, remove from the end.
  local a = {}
  for i = 1, N do a[#a + 1] = i + r end
  for i = 1, N do table.insert(a, i) end
  for _, v in ipairs(a) do sum = sum + v end
  for i = 1, #a do sum = sum + a[i] end
  while #a > 0 do sum = sum + table.remove(a) end

  -- Hash part: string keys and sparse integer keys, iterate with pairs, delete half.
  local h = {}
  for i = 1, N do h[keys[i]] = i end
  for i = 1, N do h[i * 7919] = r end
  for _, v in pairs(h) do sum = sum + v end
  for i = 1, N, 2 do h[keys[i]] = nil end
  for i = 1, N, 2 do h[i * 7919] = nil end
  local left = 0
  for _ in pairs(h) do left = left + 1 end
  sum = sum + left
end

print("tables", rounds, sum)
