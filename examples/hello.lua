-- The first script to run: `llmspell run examples/hello.lua Ada Grace`.
local names = { ... }
if #names == 0 then
  names = { "world" }
end

for i, name in ipairs(names) do
  print(string.format("Hello, %s! (%d of %d)", name, i, #names))
end

print(string.format("This is %s, running %s.", _VERSION, arg[0]))
