// The terminal path (readline: prompt, colours, history, tab completion, Ctrl-C) driven in a
// real pseudo-terminal through tmux: keys are sent, the screen is read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bin, fixtures } from './cli-session.js';

const hasTmux = spawnSync('which', ['tmux']).status === 0;
const skip = hasTmux ? false : 'tmux is not installed (.ci/run installs it with apt-get); the TTY path is not tested';

/** One tmux server of our own (its socket in a temporary folder), one window of a fixed size. */
class TmuxScreen {
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-tty-'));
  private readonly socket = path.join(this.dir, 'tmux');

  constructor(command: string) {
    // The shell reports the exit code and keeps the window so the end can be read.
    this.tmux('new-session', '-d', '-s', 'main', '-x', '100', '-y', '40', '-c', fixtures, `${command}; echo "EXITED $?"; sleep 60`);
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'main', ...keys);
  }

  screen(escapes = false): string {
    return this.tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'main');
  }

  /** Polls the screen until `check` finds what it wants (returns the screen), with a deadline. */
  async waitFor(what: string, check: (screen: string) => boolean, timeoutMs = 8000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (check(s)) return s;
      if (Date.now() > deadline) throw new Error(`screen never showed ${what}:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The line with the cursor's prompt: the last non-empty line on the screen. */
  static lastLine(screen: string): string {
    return screen.split('\n').map((l) => l.trimEnd()).filter((l) => l).pop() ?? '';
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const last = TmuxScreen.lastLine;

test('on a terminal: prompt, stop line in colour, tab completion of commands, names and fields, history', { skip }, async (t) => {
  const tty = new TmuxScreen(`node ${bin} debug orders.lua --break-at pricing.lua:8`);
  t.after(() => tty.kill());
  let s = await tty.waitFor('the first stop and the prompt', (x) => last(x) === '(llmspell)');
  assert.match(s, /^Stopped at lib\/pricing.lua:8 \(breakpoint 1\)$/m);
  assert.match(s, /^-> {4}8 \| {3}local v = unit \* item\.qty$/m);
  // Colours on a terminal: the stop line is bold, the marker green.
  const coloured = tty.screen(true);
  assert.match(coloured, /\x1b\[[0-9;]*1m[^\n]*Stopped at/);
  assert.match(coloured, /\x1b\[[0-9;]*32m->/);

  tty.keys('.lo', 'Tab');
  await tty.waitFor('.lo completed to .locals', (x) => last(x) === '(llmspell) .locals');
  tty.keys('Enter');
  s = await tty.waitFor('the locals', (x) => /item = \{name="pen", qty=1\}\n\s*unit = 2\n\(llmspell\)/.test(x));

  tty.keys('ite', 'Tab');
  await tty.waitFor('ite completed to item', (x) => last(x) === '(llmspell) item');
  // Two Tabs list the candidates. Sent apart, as a person types: in one burst, Node's readline
  // takes the second Tab while the first one's (asynchronous) completion is still running.
  tty.keys('.', 'Tab');
  await new Promise((r) => setTimeout(r, 200)); // the first Tab shows nothing to wait for
  tty.keys('Tab');
  await tty.waitFor('the fields of item listed', (x) => /^name\s+qty$/m.test(x));
  tty.keys('q', 'Tab');
  await tty.waitFor('item.q completed to item.qty', (x) => last(x) === '(llmspell) item.qty');
  tty.keys('Enter');
  await tty.waitFor('the value', (x) => /^\(llmspell\) item\.qty\n1\n\(llmspell\)$/m.test(x));

  // History: Up brings back the last line.
  tty.keys('Up');
  await tty.waitFor('the last line recalled', (x) => last(x) === '(llmspell) item.qty');
  tty.keys('C-u', '.q', 'Enter');
  await tty.waitFor('the exit', (x) => /^EXITED 0$/m.test(x));
});

test('on a terminal: Ctrl-C pauses a running script and the prompt comes back', { skip }, async (t) => {
  const tty = new TmuxScreen(`node ${bin} debug spin.lua`);
  t.after(() => tty.kill());
  await tty.waitFor('the entry stop', (x) => last(x) === '(llmspell)');
  tty.keys('.c', 'Enter');
  await tty.waitFor('the script running', (x) => /^spinning$/m.test(x));
  tty.keys('C-c');
  await tty.waitFor('the pause', (x) => /Stopped at spin\.lua:\d+ \(pause\)/.test(x) && last(x) === '(llmspell)');
  tty.keys('n > 0', 'Enter');
  await tty.waitFor('the value', (x) => /^\(llmspell\) n > 0\ntrue\n\(llmspell\)$/m.test(x));
  tty.keys('C-d');
  await tty.waitFor('the exit on Ctrl-D', (x) => /^EXITED 0$/m.test(x));
});
