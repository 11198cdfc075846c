-- Strings: string.format, concatenation (.. and table.concat), gsub and find.
-- arg[1] = rounds; the default is the full benchmark size.
local rounds = tonumber(arg and arg[1]) or 80

local total = 0
for r = 1, rounds do
  local parts = {}
  for i = 1, 5000 do parts[i] = string.format("%d:%05.2f:%s", i + r, i / 7, "x") end
  local s = table.concat(parts, ",")

  local c = ""
  for i = 1, 1000 do c = c .. i .. ";" end

  local replaced, count = s:gsub("(%d+):", "[%1]")
  local found, pos = 0, 1
  while true do
    local _, e = s:find("%d%d%d:", pos)
    if not e then break end
    found, pos = found + 1, e + 1
  end
  total = total + #s + #c + #replaced + count + found
end

print("strings", rounds, total)
