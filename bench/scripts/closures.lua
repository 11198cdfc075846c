-- Closures: create closures with upvalues and call them, including chains of composed closures.
-- arg[1] = rounds; the default is the full benchmark size.
local rounds = tonumber(arg and arg[1]) or 300

local function counter(start)
  local c = start
  return function(d) c = c + d; return c end
end

local function compose(f, g)
  return function(x) return f(g(x)) end
end

local function add1(x) return x + 1 end

local total = 0
for r = 1, rounds do
  local fs = {}
  for i = 1, 1000 do fs[i] = counter(i) end
  for j = 1, 20 do
    for i = 1, 1000 do total = total + fs[i](j) end
  end

  for _ = 1, 200 do
    local f = add1
    for _ = 1, 50 do f = compose(f, add1) end
    total = total + f(r)
  end
end

print("closures", rounds, total)
