<?php

declare(strict_types=1);

namespace SessionWarden\Wasm;

/**
 * Validates one function body and translates it into the PHP source of a
 * closure `static function ($I, $d, $l0, ...)`.
 *
 * Why translation rather than interpretation: see runtime/README.md (measured,
 * a switch-dispatch interpreter was several times slower on PHP 8.2).
 *
 * Model: wasm locals become `$lN`, operand-stack slot N becomes `$sN`. Pure
 * operations (no trap, no state) are not emitted at once but kept as pending
 * PHP expressions on a compile-time stack and folded into their consumer, so
 * `local.get; i32.const; i32.add; i32.load` becomes a single PHP statement.
 * Anything that may trap or reads mutable state is emitted immediately, so
 * evaluation order (and which side effects happen before a trap) is exactly
 * wasm's. Structured control flow maps onto `goto`, which PHP allows as long
 * as no jump enters a loop or switch (we never emit PHP loops).
 *
 * Value representation: i32 as an int in [0, 2^32) (unsigned, so memory
 * addresses and unsigned compares are free), i64 as PHP's signed 64-bit int,
 * f32/f64 as float (f32 always rounded to single precision), funcref as
 * [funcIndex, Instance, signatureKey] or null.
 */
final class Compiler {

	public const VERSION = 8; // Bump when generated code changes: it names the cache.

	/**
	 * The step-budget check at every function entry. The `\extract()` after outOfFuel() never runs (outOfFuel()
	 * always throws); it is there for opcache. A call to extract() marks a function as using indirect variable
	 * access, and opcache's optimizer then skips its data-flow pass (SSA, type inference, SCCP) for it. On this
	 * generated code that pass took about a third of a cold start (first call with an empty opcache ~100 ms ->
	 * ~65 ms, the files compiled once) and made the warm calls no faster (measured: check_login and
	 * check_request with a fresh instance 3.6 / 3.6-4.2 ms with it, 3.0 / 3.3 ms without).
	 */
	private const ENTRY_FUEL_CHECK = 'if (--$I->fuel < 0) { $I->outOfFuel(); \\extract(array()); }';

	private const ANY = 0; // Type of a value popped from an unreachable (polymorphic) stack.

	private Module $m;
	private BinaryReader $r;
	/** @var list<string> */
	private array $out;
	/** @var list<array{0: string, 1: int, 2: array<string, true>}> expression, type, variables it reads */
	private array $stack;
	/** @var list<array<string, mixed>> */
	private array $ctrl;
	private int $labels;
	/** @var list<int> */
	private array $localTypes;
	private bool $usesMemory;

	/** @var array<int, array{0: string, 1: list<int>, 2: int}> opcode => [template, operand types, result type] */
	private static array $pure;
	/** @var array<int, array{0: string, 1: list<int>, 2: int}> same, but may trap: emitted immediately */
	private static array $trapping;

	public function __construct(Module $m) {
		$this->m = $m;
		self::tables();
	}

	public static function sigKey(array $type): string {
		return implode(',', $type[0]) . '>' . implode(',', $type[1]);
	}

	/** PHP source (an expression evaluating to a Closure) of defined function $def. */
	public function compile(int $def): string {
		$m                = $this->m;
		$fidx             = $m->importedFuncs + $def;
		$type             = $m->types[$m->funcTypes[$fidx]];
		[$start, $end]    = $m->bodies[$def];
		$this->r          = new BinaryReader($m->binary, $start, $end);
		$this->out        = array();
		$this->stack      = array();
		$this->ctrl       = array();
		$this->labels     = 0;
		$this->usesMemory = false;
		$this->localTypes = $type[0];
		$r                = $this->r;
		$total            = count($type[0]);
		for ($n = $r->u32(); $n > 0; $n--) {
			$count  = $r->u32();
			$vt     = Decoder::valType($r);
			$total += $count;
			if ($total > 50000) {
				throw new ModuleError('too many locals');
			}
			for ($k = 0; $k < $count; $k++) {
				$this->localTypes[] = $vt;
			}
		}
		$this->ctrl[] = array(
			'kind'    => 'func',
			'params'  => array(),
			'results' => $type[1],
			'height'  => 0,
			'label'   => 0,
			'dead'    => false,
			'poly'    => false,
			'start'   => false,
		);
		$this->body();
		if ($r->pos !== $r->end) {
			throw new ModuleError('section size mismatch (junk after function end)');
		}
		$params = array('$I', '$d');
		foreach ($type[0] as $i => $t) {
			$params[] = '$l' . $i;
		}
		// $d is the remaining PHP stack budget in bytes: a wasm call is a PHP call, so
		// deep recursion must trap before PHP's memory_limit turns it into a fatal error.
		$slots = 0;
		if (preg_match_all('/\$s(\d+)\b/', implode("\n", $this->out), $mm)) {
			$slots = 1 + max(array_map('intval', $mm[1]));
		}
		$cost = 32 * (count($this->localTypes) + $slots + 12);
		$head = array('if (($d -= ' . $cost . ') < 0) Ops::exhausted();', self::ENTRY_FUEL_CHECK);
		if ($this->usesMemory) {
			$head[] = '$M = &$I->mem;';
		}
		for ($i = count($type[0]), $n = count($this->localTypes); $i < $n; $i++) {
			$head[] = '$l' . $i . ' = ' . self::zero($this->localTypes[$i]) . ';';
		}
		return 'static function (' . implode(', ', $params) . ") {\n" . implode("\n", $head) . "\n" . implode("\n", $this->out) . "\n}";
	}

	private static function zero(int $t): string {
		switch ($t) {
			case Module::I32:
			case Module::I64:
				return '0';
			case Module::F32:
			case Module::F64:
				return '0.0';
			default:
				return 'null';
		}
	}

	// ---- compile-time operand stack -------------------------------------

	private function emit(string $code): void {
		if (!$this->ctrl[count($this->ctrl) - 1]['dead']) {
			$this->out[] = $code;
		}
	}

	private function push(string $expr, int $type, array $deps = array()): void {
		$this->stack[] = array($expr, $type, $deps);
		if (strlen($expr) > 400) {
			$this->materialize(count($this->stack) - 1);
		}
	}

	/** Emit `$sH = $rhs;` for a value produced by an effectful or trapping operation. */
	private function pushStatement(string $rhs, int $type): void {
		$h = count($this->stack);
		$this->flushSlot($h);
		$this->emit('$s' . $h . ' = ' . $rhs . ';');
		$this->stack[] = array('$s' . $h, $type, array('s' . $h => true));
	}

	private function pop(int $expect = self::ANY): array {
		$f = $this->ctrl[count($this->ctrl) - 1];
		if (count($this->stack) <= $f['height']) {
			if ($f['poly']) {
				return array(self::zero($expect ?: Module::I32), $expect, array());
			}
			throw new ModuleError('type mismatch: operand stack underflow');
		}
		$e = array_pop($this->stack);
		if (self::ANY !== $expect && self::ANY !== $e[1] && $e[1] !== $expect) {
			throw new ModuleError(sprintf('type mismatch: expected %s, got %s', self::typeName($expect), self::typeName($e[1])));
		}
		return $e;
	}

	/** Pops a value that is used more than once: it must be a plain variable or literal. */
	private function popSimple(int $expect): array {
		$e = $this->pop($expect);
		if (!self::isSimple($e[0])) {
			$h = count($this->stack);
			$this->flushSlot($h);
			$this->emit('$s' . $h . ' = ' . $e[0] . ';');
			$e = array('$s' . $h, $e[1], array('s' . $h => true));
		}
		return $e;
	}

	private static function isSimple(string $e): bool {
		return 1 === preg_match('/^(\$[a-zA-Z]\w*|\d+|\(-\d+\)|\\\\PHP_INT_MIN)$/', $e);
	}

	private static function typeName(int $t): string {
		return array(Module::I32 => 'i32', Module::I64 => 'i64', Module::F32 => 'f32', Module::F64 => 'f64', Module::FUNCREF => 'funcref', Module::EXTERNREF => 'externref')[$t] ?? 'any';
	}

	/** Store stack entry $i in its own slot variable. */
	private function materialize(int $i): void {
		$e = $this->stack[$i];
		$v = '$s' . $i;
		if ($e[0] === $v) {
			return;
		}
		$this->flushSlot($i);
		$this->emit($v . ' = ' . $e[0] . ';');
		$this->stack[$i] = array($v, $e[1], array('s' . $i => true));
	}

	/** Before slot $j is overwritten, entries below it that still read it must be stored. */
	private function flushSlot(int $j): void {
		$key = 's' . $j;
		for ($i = min($j, count($this->stack)) - 1; $i >= 0; $i--) {
			if (isset($this->stack[$i][2][$key])) {
				$this->materialize($i);
			}
		}
	}

	private function flushLocal(int $x): void {
		$key = 'l' . $x;
		foreach ($this->stack as $i => $e) {
			if (isset($e[2][$key])) {
				$this->materialize($i);
			}
		}
	}

	private function materializeAll(): void {
		for ($i = 0, $n = count($this->stack); $i < $n; $i++) {
			$this->materialize($i);
		}
	}

	// ---- control ------------------------------------------------------------

	private function blockType(): array {
		$r = $this->r;
		$b = ord($r->data[$r->pos] ?? "\0");
		if (0x40 === $b) {
			$r->pos++;
			return array(array(), array());
		}
		if (in_array($b, array(Module::I32, Module::I64, Module::F32, Module::F64, Module::FUNCREF, Module::EXTERNREF), true)) {
			$r->pos++;
			return array(array(), array($b));
		}
		$idx = $r->sleb(64);
		if ($idx < 0 || $idx >= count($this->m->types)) {
			throw new ModuleError('unknown type (block type)');
		}
		return $this->m->types[$idx];
	}

	private function pushFrame(string $kind, array $bt): array {
		// Parameters stay on the stack (in their slots), below them is the frame's base.
		$params = $bt[0];
		$vals   = array();
		for ($i = count($params) - 1; $i >= 0; $i--) {
			$vals[$i] = $this->pop($params[$i]);
		}
		ksort($vals);
		foreach ($vals as $v) {
			$this->stack[] = $v;
		}
		$this->materializeAll();
		$height     = count($this->stack) - count($params);
		$parentDead = $this->ctrl[count($this->ctrl) - 1]['dead'];
		return array(
			'kind'    => $kind,
			'params'  => $params,
			'results' => $bt[1],
			'height'  => $height,
			'label'   => ++$this->labels,
			'dead'    => $parentDead,
			'poly'    => false,
			'start'   => $parentDead,
			'else'    => false,
		);
	}

	/** Pops (and type-checks) the values a branch to $frame carries, returns the moves into the frame's slots. */
	private function branchMoves(array $frame, bool $keep): string {
		$types = 'loop' === $frame['kind'] ? $frame['params'] : $frame['results'];
		$k     = count($types);
		$vals  = array();
		for ($i = $k - 1; $i >= 0; $i--) {
			$vals[$i] = $this->pop($types[$i]);
		}
		ksort($vals);
		if ($keep) {
			foreach ($vals as $v) {
				$this->stack[] = $v;
			}
		}
		if ('func' === $frame['kind']) {
			return $this->returnStatement($vals);
		}
		$code = '';
		foreach ($vals as $i => $v) {
			$dst = '$s' . ($frame['height'] + $i);
			if ($v[0] !== $dst) {
				$code .= $dst . ' = ' . $v[0] . '; ';
			}
		}
		$label = ('loop' === $frame['kind'] ? 'L' : 'B') . $frame['label'];
		return $code . 'goto ' . $label . ';';
	}

	private function returnStatement(array $vals): string {
		$vals = array_values($vals);
		if (0 === count($vals)) {
			return 'return;';
		}
		if (1 === count($vals)) {
			return 'return ' . $vals[0][0] . ';';
		}
		return 'return [' . implode(', ', array_map(static fn($v) => $v[0], $vals)) . '];';
	}

	private function setDead(): void {
		$f                                     = count($this->ctrl) - 1;
		// Unreachable: the operand stack becomes polymorphic and nothing more is emitted.
		$this->ctrl[$f]['dead']                = true;
		$this->ctrl[$f]['poly']                = true;
		$this->stack                           = array_slice($this->stack, 0, $this->ctrl[$f]['height']);
	}

	private function frameAt(int $depth): array {
		$n = count($this->ctrl);
		if ($depth >= $n) {
			throw new ModuleError('unknown label');
		}
		return $this->ctrl[$n - 1 - $depth];
	}

	private function endFrame(): void {
		$f = array_pop($this->ctrl);
		$this->ctrl[] = $f; // Keep it current while checking/emitting.
		$results = $f['results'];
		$vals    = array();
		for ($i = count($results) - 1; $i >= 0; $i--) {
			$vals[$i] = $this->pop($results[$i]);
		}
		ksort($vals);
		if (count($this->stack) !== $f['height']) {
			throw new ModuleError('type mismatch: values remaining on the stack at end of block');
		}
		if ('func' === $f['kind']) {
			$this->emit($this->returnStatement($vals));
			array_pop($this->ctrl);
			return;
		}
		// Results into their slots, as every branch to this label does.
		foreach ($vals as $i => $v) {
			$dst = '$s' . ($f['height'] + $i);
			if ($v[0] !== $dst) {
				$this->emit($dst . ' = ' . $v[0] . ';');
			}
		}
		array_pop($this->ctrl);
		if ('if' === $f['kind'] && !$f['else']) {
			if ($f['params'] !== $f['results']) {
				throw new ModuleError('type mismatch: if without else must not change the stack');
			}
			$this->emit('E' . $f['label'] . ':');
		}
		if ('loop' !== $f['kind']) {
			$this->emit('B' . $f['label'] . ':');
		}
		foreach ($results as $i => $t) {
			$this->stack[] = array('$s' . ($f['height'] + $i), $t, array('s' . ($f['height'] + $i) => true));
		}
	}

	// ---- the instruction loop ----------------------------------------------------

	private function body(): void {
		$r = $this->r;
		$m = $this->m;
		while (true) {
			if ($r->pos >= $r->end) {
				throw new ModuleError('unexpected end of section or function');
			}
			$op = ord($r->data[$r->pos++]);
			if (isset(self::$pure[$op])) {
				$this->numeric(self::$pure[$op], false);
				continue;
			}
			if (isset(self::$trapping[$op])) {
				$this->numeric(self::$trapping[$op], true);
				continue;
			}
			switch ($op) {
				case 0x00: // unreachable
					$this->emit('Ops::unreachable();');
					$this->setDead();
					break;
				case 0x01: // nop
					break;
				case 0x02: // block
				case 0x03: // loop
					$frame = $this->pushFrame(0x02 === $op ? 'block' : 'loop', $this->blockType());
					$this->ctrl[] = $frame;
					if (0x03 === $op) {
						$this->emit('L' . $frame['label'] . ': if (--$I->fuel < 0) $I->outOfFuel();');
					}
					break;
				case 0x04: // if
					$bt   = $this->blockType();
					$cond = $this->pop(Module::I32);
					$frame = $this->pushFrame('if', $bt);
					$this->emit('if (' . $cond[0] . ' === 0) goto E' . $frame['label'] . ';');
					$this->ctrl[] = $frame;
					break;
				case 0x05: // else
					$f = $this->ctrl[count($this->ctrl) - 1];
					if ('if' !== $f['kind'] || $f['else']) {
						throw new ModuleError('else without if');
					}
					$vals = array();
					for ($i = count($f['results']) - 1; $i >= 0; $i--) {
						$vals[$i] = $this->pop($f['results'][$i]);
					}
					ksort($vals);
					if (count($this->stack) !== $f['height']) {
						throw new ModuleError('type mismatch: values remaining on the stack before else');
					}
					foreach ($vals as $i => $v) {
						$dst = '$s' . ($f['height'] + $i);
						if ($v[0] !== $dst) {
							$this->emit($dst . ' = ' . $v[0] . ';');
						}
					}
					$this->emit('goto B' . $f['label'] . ';');
					$f['else'] = true;
					$f['dead'] = $f['start'];
					$f['poly'] = false;
					$this->ctrl[count($this->ctrl) - 1] = $f;
					$this->emit('E' . $f['label'] . ':');
					foreach ($f['params'] as $i => $t) {
						$this->stack[] = array('$s' . ($f['height'] + $i), $t, array('s' . ($f['height'] + $i) => true));
					}
					break;
				case 0x0B: // end
					$this->endFrame();
					if (0 === count($this->ctrl)) {
						return;
					}
					break;
				case 0x0C: // br
					$f = $this->frameAt($r->u32());
					$this->emit($this->branchMoves($f, false));
					$this->setDead();
					break;
				case 0x0D: // br_if
					$f    = $this->frameAt($r->u32());
					$cond = $this->pop(Module::I32);
					$code = $this->branchMoves($f, true);
					$this->emit('if (' . $cond[0] . ' !== 0) { ' . $code . ' }');
					break;
				case 0x0E: // br_table
					$n       = $r->u32();
					$targets = array();
					for ($i = 0; $i < $n; $i++) {
						$targets[] = $r->u32();
					}
					$default = $r->u32();
					$idx     = $this->pop(Module::I32);
					$df      = $this->frameAt($default);
					$arity   = count('loop' === $df['kind'] ? $df['params'] : $df['results']);
					$cases   = array();
					$codes   = array();
					$snapshot = $this->stack;
					foreach ($targets as $i => $t) {
						$tf = $this->frameAt($t);
						$types = 'loop' === $tf['kind'] ? $tf['params'] : $tf['results'];
						if (count($types) !== $arity) {
							throw new ModuleError('type mismatch: br_table targets differ in arity');
						}
						$this->stack  = $snapshot;
						$cases[$t][] = $i;
						$codes[$t]   = $this->branchMoves($tf, false);
					}
					$this->stack = $snapshot;
					$dcode       = $this->branchMoves($df, false);
					$sw          = 'switch (' . $idx[0] . ') { ';
					foreach ($cases as $t => $list) {
						foreach ($list as $i) {
							$sw .= 'case ' . $i . ': ';
						}
						$sw .= $codes[$t] . ' ';
					}
					$sw .= 'default: ' . $dcode . ' }';
					$this->emit($sw);
					$this->setDead();
					break;
				case 0x0F: // return
					$this->emit($this->branchMoves($this->ctrl[0], false));
					$this->setDead();
					break;
				case 0x10: // call
					$f = $r->u32();
					if ($f >= count($m->funcTypes)) {
						throw new ModuleError("unknown function $f");
					}
					$this->call($m->types[$m->funcTypes[$f]], '($I->f[' . $f . '] ?? $I->lf(' . $f . '))($I, $d', '');
					break;
				case 0x11: // call_indirect
					$ti  = $r->u32();
					$tab = $r->u32();
					if ($ti >= count($m->types)) {
						throw new ModuleError("unknown type $ti");
					}
					if ($tab >= count($m->tables)) {
						throw new ModuleError("unknown table $tab");
					}
					if (Module::FUNCREF !== $m->tables[$tab]['type']) {
						throw new ModuleError('type mismatch: call_indirect on a non-funcref table');
					}
					$idx = $this->pop(Module::I32);
					$pre = '$e = $I->t[' . $tab . '][' . $idx[0] . '] ?? Ops::uninitializedElement(); '
						. "if (\$e[2] !== '" . self::sigKey($m->types[$ti]) . "') Ops::indirectMismatch(); ";
					$this->call($m->types[$ti], '($e[1]->f[$e[0]] ?? $e[1]->lf($e[0]))($e[1], $d', $pre);
					break;
				case 0x1A: // drop
					$this->pop();
					break;
				case 0x1B: // select
				case 0x1C: // select t
					if (0x1C === $op) {
						if (1 !== $r->u32()) {
							throw new ModuleError('invalid result arity for select');
						}
						$t = Decoder::valType($r);
					}
					$c = $this->pop(Module::I32);
					$b = $this->pop(0x1C === $op ? $t : self::ANY);
					$a = $this->pop(0x1C === $op ? $t : $b[1]);
					$type = self::ANY === $a[1] ? $b[1] : $a[1];
					if (0x1B === $op && (Module::FUNCREF === $type || Module::EXTERNREF === $type)) {
						throw new ModuleError('type mismatch: untyped select on reference types');
					}
					$this->push('(' . $c[0] . ' !== 0 ? ' . $a[0] . ' : ' . $b[0] . ')', $type, $a[2] + $b[2] + $c[2]);
					break;
				case 0x20: // local.get
					$x = $this->local();
					$this->push('$l' . $x, $this->localTypes[$x], array('l' . $x => true));
					break;
				case 0x21: // local.set
				case 0x22: // local.tee
					$x = $this->local();
					$v = $this->pop($this->localTypes[$x]);
					$this->flushLocal($x);
					$this->emit('$l' . $x . ' = ' . $v[0] . ';');
					if (0x22 === $op) {
						$this->push('$l' . $x, $this->localTypes[$x], array('l' . $x => true));
					}
					break;
				case 0x23: // global.get
					$g = $this->global();
					if ($m->globals[$g]['mutable']) {
						$this->pushStatement('$I->g[' . $g . ']', $m->globals[$g]['type']);
					} else {
						$this->push('$I->g[' . $g . ']', $m->globals[$g]['type']);
					}
					break;
				case 0x24: // global.set
					$g = $this->global();
					if (!$m->globals[$g]['mutable']) {
						throw new ModuleError('global is immutable');
					}
					$v = $this->pop($m->globals[$g]['type']);
					$this->emit('$I->g[' . $g . '] = ' . $v[0] . ';');
					break;
				case 0x25: // table.get
					$t = $this->table();
					$i = $this->pop(Module::I32);
					$this->pushStatement('$I->tableGet(' . $t . ', ' . $i[0] . ')', $m->tables[$t]['type']);
					break;
				case 0x26: // table.set
					$t = $this->table();
					$v = $this->pop($m->tables[$t]['type']);
					$i = $this->pop(Module::I32);
					$this->emit('$I->tableSet(' . $t . ', ' . $i[0] . ', ' . $v[0] . ');');
					break;
				case 0x28: case 0x29: case 0x2A: case 0x2B: case 0x2C: case 0x2D: case 0x2E:
				case 0x2F: case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35:
					$this->load($op);
					break;
				case 0x36: case 0x37: case 0x38: case 0x39: case 0x3A: case 0x3B: case 0x3C:
				case 0x3D: case 0x3E:
					$this->store($op);
					break;
				case 0x3F: // memory.size
					$this->memIdx();
					$this->usesMemory = true;
					$this->pushStatement('(\strlen($M) >> 16)', Module::I32);
					break;
				case 0x40: // memory.grow
					$this->memIdx();
					$this->usesMemory = true;
					$n = $this->pop(Module::I32);
					$this->pushStatement('$I->grow(' . $n[0] . ')', Module::I32);
					break;
				case 0x41: // i32.const
					$this->push((string) ($r->sleb(32) & 0xFFFFFFFF), Module::I32);
					break;
				case 0x42: // i64.const
					$this->push(self::i64Literal($r->sleb(64)), Module::I64);
					break;
				case 0x43: // f32.const
					$bits = unpack('V', $r->bytes(4))[1];
					$this->push(self::f32Literal($bits), Module::F32);
					break;
				case 0x44: // f64.const
					$raw = $r->bytes(8);
					$this->push(self::f64Literal($raw), Module::F64);
					break;
				case 0xD0: // ref.null
					$t = $r->byte();
					if (Module::FUNCREF !== $t && Module::EXTERNREF !== $t) {
						throw new ModuleError('malformed reference type');
					}
					$this->push('null', $t);
					break;
				case 0xD1: // ref.is_null
					$v = $this->pop();
					if (self::ANY !== $v[1] && Module::FUNCREF !== $v[1] && Module::EXTERNREF !== $v[1]) {
						throw new ModuleError('type mismatch: ref.is_null on a number');
					}
					$this->push('(' . $v[0] . ' === null ? 1 : 0)', Module::I32, $v[2]);
					break;
				case 0xD2: // ref.func
					$f = $r->u32();
					if ($f >= count($m->funcTypes)) {
						throw new ModuleError("unknown function $f");
					}
					if (!isset($m->declaredRefs[$f])) {
						throw new ModuleError("undeclared function reference $f");
					}
					$this->pushStatement('$I->ref(' . $f . ')', Module::FUNCREF);
					break;
				case 0xFC:
					$this->prefixed($r->u32());
					break;
				default:
					throw new ModuleError(self::unsupported($op));
			}
		}
	}

	private static function unsupported(int $op): string {
		$names = array(
			0x06 => 'try (exception handling)', 0x07 => 'catch (exception handling)', 0x08 => 'throw (exception handling)',
			0x09 => 'rethrow (exception handling)', 0x12 => 'return_call (tail calls)', 0x13 => 'return_call_indirect (tail calls)',
			0x14 => 'call_ref (function references)', 0x1F => 'try_table (exception handling)', 0xFB => 'GC instruction',
			0xFD => 'SIMD (v128) instruction', 0xFE => 'atomic (threads) instruction',
		);
		return sprintf('unsupported instruction 0x%02x%s', $op, isset($names[$op]) ? ': ' . $names[$op] : ' (illegal opcode)');
	}

	private function local(): int {
		$x = $this->r->u32();
		if ($x >= count($this->localTypes)) {
			throw new ModuleError("unknown local $x");
		}
		return $x;
	}

	private function global(): int {
		$g = $this->r->u32();
		if ($g >= count($this->m->globals)) {
			throw new ModuleError("unknown global $g");
		}
		return $g;
	}

	private function table(): int {
		$t = $this->r->u32();
		if ($t >= count($this->m->tables)) {
			throw new ModuleError("unknown table $t");
		}
		return $t;
	}

	private function memIdx(): void {
		if (0 !== $this->r->byte()) {
			throw new ModuleError('zero byte expected (multi-memory is not supported)');
		}
		if (0 === count($this->m->memories)) {
			throw new ModuleError('unknown memory 0');
		}
	}

	private function call(array $type, string $callee, string $pre): void {
		$args = array();
		for ($i = count($type[0]) - 1; $i >= 0; $i--) {
			$args[$i] = $this->pop($type[0][$i])[0];
		}
		ksort($args);
		$call = $callee . ($args ? ', ' . implode(', ', $args) : '') . ')';
		$h    = count($this->stack);
		$nres = count($type[1]);
		if (0 === $nres) {
			$this->emit($pre . $call . ';');
			return;
		}
		for ($i = 0; $i < $nres; $i++) {
			$this->flushSlot($h + $i);
		}
		if (1 === $nres) {
			$this->emit($pre . '$s' . $h . ' = ' . $call . ';');
		} else {
			$vars = array();
			for ($i = 0; $i < $nres; $i++) {
				$vars[] = '$s' . ($h + $i);
			}
			$this->emit($pre . '[' . implode(', ', $vars) . '] = ' . $call . ';');
		}
		foreach ($type[1] as $i => $t) {
			$this->stack[] = array('$s' . ($h + $i), $t, array('s' . ($h + $i) => true));
		}
	}

	private function numeric(array $def, bool $traps): void {
		[$tpl, $in, $outType] = $def;
		$vals = array();
		for ($i = count($in) - 1; $i >= 0; $i--) {
			$key = 0 === $i ? '{a}' : '{b}';
			$vals[$i] = substr_count($tpl, $key) > 1 ? $this->popSimple($in[$i]) : $this->pop($in[$i]);
		}
		$expr = strtr($tpl, array('{a}' => $vals[0][0], '{b}' => $vals[1][0] ?? ''));
		if ($traps) {
			$this->pushStatement($expr, $outType);
		} else {
			$this->push($expr, $outType, $vals[0][2] + ($vals[1][2] ?? array()));
		}
	}

	/** @return array{0: int, 1: int} natural size in bytes, result type */
	private const LOADS = array(
		0x28 => array(4, Module::I32, "\\unpack('V', \$M, \$a)[1]"),
		0x29 => array(8, Module::I64, "\\unpack('P', \$M, \$a)[1]"),
		0x2A => array(4, Module::F32, "Ops::f32FromBits(\\unpack('V', \$M, \$a)[1])"),
		0x2B => array(8, Module::F64, "\\unpack('e', \$M, \$a)[1]"),
		0x2C => array(1, Module::I32, "((\\ord(\$M[\$a]) ^ 0x80) - 0x80) & 0xFFFFFFFF"),
		0x2D => array(1, Module::I32, "\\ord(\$M[\$a])"),
		0x2E => array(2, Module::I32, "((\\unpack('v', \$M, \$a)[1] ^ 0x8000) - 0x8000) & 0xFFFFFFFF"),
		0x2F => array(2, Module::I32, "\\unpack('v', \$M, \$a)[1]"),
		0x30 => array(1, Module::I64, "(\\ord(\$M[\$a]) ^ 0x80) - 0x80"),
		0x31 => array(1, Module::I64, "\\ord(\$M[\$a])"),
		0x32 => array(2, Module::I64, "(\\unpack('v', \$M, \$a)[1] ^ 0x8000) - 0x8000"),
		0x33 => array(2, Module::I64, "\\unpack('v', \$M, \$a)[1]"),
		0x34 => array(4, Module::I64, "(\\unpack('V', \$M, \$a)[1] ^ 0x80000000) - 0x80000000"),
		0x35 => array(4, Module::I64, "\\unpack('V', \$M, \$a)[1]"),
	);

	private const STORES = array(
		0x36 => array(4, Module::I32),
		0x37 => array(8, Module::I64),
		0x38 => array(4, Module::F32),
		0x39 => array(8, Module::F64),
		0x3A => array(1, Module::I32),
		0x3B => array(2, Module::I32),
		0x3C => array(1, Module::I64),
		0x3D => array(2, Module::I64),
		0x3E => array(4, Module::I64),
	);

	private function memarg(int $size): int {
		$align = $this->r->u32();
		$off   = $this->r->u32();
		if ((1 << $align) > $size || $align > 31) {
			throw new ModuleError('alignment must not be larger than natural');
		}
		if (0 === count($this->m->memories)) {
			throw new ModuleError('unknown memory 0');
		}
		$this->usesMemory = true;
		return $off;
	}

	private function address(array $base, int $off): string {
		return 0 === $off ? $base[0] : '(' . $base[0] . ' + ' . $off . ')';
	}

	private function load(int $op): void {
		[$size, $type, $read] = self::LOADS[$op];
		$off  = $this->memarg($size);
		$addr = $this->pop(Module::I32);
		$this->pushStatement('($a = ' . $this->address($addr, $off) . ') > \strlen($M) - ' . $size . ' ? Ops::oob() : ' . $read, $type);
	}

	private function store(int $op): void {
		[$size, $type] = self::STORES[$op];
		$off  = $this->memarg($size);
		$val  = $this->pop($type);
		$addr = $this->pop(Module::I32);
		$code = 'if (($a = ' . $this->address($addr, $off) . ') > \strlen($M) - ' . $size . ') Ops::oob(); ';
		if (Module::F64 === $type) {
			$code .= '$v = \pack(\'e\', ' . $val[0] . '); ';
			for ($i = 0; $i < $size; $i++) {
				$code .= '$M[' . (0 === $i ? '$a' : '$a + ' . $i) . '] = $v[' . $i . ']; ';
			}
		} else {
			if (Module::F32 === $type) {
				$val[0] = 'Ops::f32Bits(' . $val[0] . ')';
			}
			if (self::isSimple($val[0])) {
				$v = $val[0];
			} else {
				$code .= '$v = ' . $val[0] . '; ';
				$v     = '$v';
			}
			for ($i = 0; $i < $size; $i++) {
				$code .= '$M[' . (0 === $i ? '$a' : '$a + ' . $i) . '] = \chr(' . (0 === $i ? $v : $v . ' >> ' . (8 * $i)) . '); ';
			}
		}
		$this->emit(rtrim($code));
	}

	private function prefixed(int $sub): void {
		$r = $this->r;
		$m = $this->m;
		if ($sub <= 7) {
			$defs = array(
				0 => array('Ops::satS32({a})', Module::F32, Module::I32),
				1 => array('Ops::satU32({a})', Module::F32, Module::I32),
				2 => array('Ops::satS32({a})', Module::F64, Module::I32),
				3 => array('Ops::satU32({a})', Module::F64, Module::I32),
				4 => array('Ops::satS64({a})', Module::F32, Module::I64),
				5 => array('Ops::satU64({a})', Module::F32, Module::I64),
				6 => array('Ops::satS64({a})', Module::F64, Module::I64),
				7 => array('Ops::satU64({a})', Module::F64, Module::I64),
			);
			[$tpl, $in, $outType] = $defs[$sub];
			$this->numeric(array($tpl, array($in), $outType), false);
			return;
		}
		switch ($sub) {
			case 8: // memory.init
				$seg = $r->u32();
				$this->memIdx();
				$this->needDataCount($seg);
				$this->usesMemory = true;
				$n = $this->pop(Module::I32);
				$s = $this->pop(Module::I32);
				$dd = $this->pop(Module::I32);
				$this->emit('$I->memoryInit(' . $seg . ', ' . $dd[0] . ', ' . $s[0] . ', ' . $n[0] . ');');
				break;
			case 9: // data.drop
				$seg = $r->u32();
				$this->needDataCount($seg);
				$this->emit('$I->dataDrop(' . $seg . ');');
				break;
			case 10: // memory.copy
				$this->memIdx();
				$this->memIdx();
				$this->usesMemory = true;
				$n = $this->pop(Module::I32);
				$s = $this->pop(Module::I32);
				$dd = $this->pop(Module::I32);
				$this->emit('Ops::copy($M, ' . $dd[0] . ', ' . $s[0] . ', ' . $n[0] . ');');
				break;
			case 11: // memory.fill
				$this->memIdx();
				$this->usesMemory = true;
				$n = $this->pop(Module::I32);
				$v = $this->pop(Module::I32);
				$dd = $this->pop(Module::I32);
				$this->emit('Ops::fill($M, ' . $dd[0] . ', ' . $v[0] . ', ' . $n[0] . ');');
				break;
			case 12: // table.init
				$seg = $r->u32();
				$t   = $this->table();
				if ($seg >= count($m->elems)) {
					throw new ModuleError("unknown elem segment $seg");
				}
				if ($m->elems[$seg]['type'] !== $m->tables[$t]['type']) {
					throw new ModuleError('type mismatch: table.init element type');
				}
				$n = $this->pop(Module::I32);
				$s = $this->pop(Module::I32);
				$dd = $this->pop(Module::I32);
				$this->emit('$I->tableInit(' . $t . ', ' . $seg . ', ' . $dd[0] . ', ' . $s[0] . ', ' . $n[0] . ');');
				break;
			case 13: // elem.drop
				$seg = $r->u32();
				if ($seg >= count($m->elems)) {
					throw new ModuleError("unknown elem segment $seg");
				}
				$this->emit('$I->elemDrop(' . $seg . ');');
				break;
			case 14: // table.copy
				$dt = $this->table();
				$st = $this->table();
				if ($m->tables[$dt]['type'] !== $m->tables[$st]['type']) {
					throw new ModuleError('type mismatch: table.copy between tables of different types');
				}
				$n = $this->pop(Module::I32);
				$s = $this->pop(Module::I32);
				$dd = $this->pop(Module::I32);
				$this->emit('$I->tableCopy(' . $dt . ', ' . $st . ', ' . $dd[0] . ', ' . $s[0] . ', ' . $n[0] . ');');
				break;
			case 15: // table.grow
				$t = $this->table();
				$n = $this->pop(Module::I32);
				$v = $this->pop($m->tables[$t]['type']);
				$this->pushStatement('$I->tableGrow(' . $t . ', ' . $v[0] . ', ' . $n[0] . ')', Module::I32);
				break;
			case 16: // table.size
				$t = $this->table();
				$this->pushStatement('\count($I->t[' . $t . '])', Module::I32);
				break;
			case 17: // table.fill
				$t = $this->table();
				$n = $this->pop(Module::I32);
				$v = $this->pop($m->tables[$t]['type']);
				$i = $this->pop(Module::I32);
				$this->emit('$I->tableFill(' . $t . ', ' . $i[0] . ', ' . $v[0] . ', ' . $n[0] . ');');
				break;
			default:
				throw new ModuleError(sprintf('unsupported instruction 0xfc %d', $sub));
		}
	}

	private function needDataCount(int $seg): void {
		if (null === $this->m->dataCount) {
			throw new ModuleError('data count section required');
		}
		if ($seg >= $this->m->dataCount) {
			throw new ModuleError("unknown data segment $seg");
		}
	}

	public static function i64Literal(int $v): string {
		if (PHP_INT_MIN === $v) {
			return '\PHP_INT_MIN';
		}
		return $v < 0 ? '(' . $v . ')' : (string) $v;
	}

	public static function f32Literal(int $bits): string {
		$f = unpack('g', pack('V', $bits))[1];
		if (is_nan($f) || is_infinite($f)) {
			return 'Ops::f32FromBits(' . $bits . ')';
		}
		return self::floatLiteral($f);
	}

	public static function f64Literal(string $raw): string {
		$f = unpack('e', $raw)[1];
		if (is_nan($f) || is_infinite($f)) {
			return 'Ops::f64FromBits(' . self::i64Literal(unpack('P', $raw)[1]) . ')';
		}
		return self::floatLiteral($f);
	}

	private static function floatLiteral(float $f): string {
		$prev = ini_set('serialize_precision', '-1');
		$s    = var_export($f, true);
		ini_set('serialize_precision', (string) $prev);
		if (false === strpbrk($s, '.EN')) {
			$s .= '.0';
		}
		return '(' . $s . ')';
	}

	private static function tables(): void {
		if (isset(self::$pure)) {
			return;
		}
		$I = Module::I32;
		$L = Module::I64;
		$F = Module::F32;
		$D = Module::F64;
		$p = array();
		$t = array();
		$s32 = static fn(string $x) => '((' . $x . ' ^ 0x80000000) - 0x80000000)';

		$p[0x45] = array('({a} === 0 ? 1 : 0)', array($I), $I);
		foreach (array(0x46 => '===', 0x47 => '!==', 0x49 => '<', 0x4B => '>', 0x4D => '<=', 0x4F => '>=') as $op => $c) {
			$p[$op] = array('({a} ' . $c . ' {b} ? 1 : 0)', array($I, $I), $I);
		}
		foreach (array(0x48 => '<', 0x4A => '>', 0x4C => '<=', 0x4E => '>=') as $op => $c) {
			$p[$op] = array('(({a} ^ 0x80000000) ' . $c . ' ({b} ^ 0x80000000) ? 1 : 0)', array($I, $I), $I);
		}
		$p[0x50] = array('({a} === 0 ? 1 : 0)', array($L), $I);
		foreach (array(0x51 => '===', 0x52 => '!==', 0x53 => '<', 0x55 => '>', 0x57 => '<=', 0x59 => '>=') as $op => $c) {
			$p[$op] = array('({a} ' . $c . ' {b} ? 1 : 0)', array($L, $L), $I);
		}
		foreach (array(0x54 => '<', 0x56 => '>', 0x58 => '<=', 0x5A => '>=') as $op => $c) {
			$p[$op] = array('(({a} ^ \PHP_INT_MIN) ' . $c . ' ({b} ^ \PHP_INT_MIN) ? 1 : 0)', array($L, $L), $I);
		}
		foreach (array(0x5B => '==', 0x5C => '!=', 0x5D => '<', 0x5E => '>', 0x5F => '<=', 0x60 => '>=') as $op => $c) {
			$p[$op]        = array('({a} ' . $c . ' {b} ? 1 : 0)', array($F, $F), $I);
			$p[$op + 6]    = array('({a} ' . $c . ' {b} ? 1 : 0)', array($D, $D), $I);
		}
		$p[0x67] = array('Ops::clz32({a})', array($I), $I);
		$p[0x68] = array('Ops::ctz32({a})', array($I), $I);
		$p[0x69] = array('Ops::popcnt32({a})', array($I), $I);
		$p[0x6A] = array('(({a} + {b}) & 0xFFFFFFFF)', array($I, $I), $I);
		$p[0x6B] = array('(({a} - {b}) & 0xFFFFFFFF)', array($I, $I), $I);
		$p[0x6C] = array('((((({a} >> 16) * {b}) & 0xFFFF) << 16) + ({a} & 0xFFFF) * {b} & 0xFFFFFFFF)', array($I, $I), $I);
		$t[0x6D] = array('Ops::divS32({a}, {b})', array($I, $I), $I);
		$t[0x6E] = array('\intdiv({a}, {b})', array($I, $I), $I);
		$t[0x6F] = array('(' . $s32('{a}') . ' % ' . $s32('{b}') . ' & 0xFFFFFFFF)', array($I, $I), $I);
		$t[0x70] = array('({a} % {b})', array($I, $I), $I);
		$p[0x71] = array('({a} & {b})', array($I, $I), $I);
		$p[0x72] = array('({a} | {b})', array($I, $I), $I);
		$p[0x73] = array('({a} ^ {b})', array($I, $I), $I);
		$p[0x74] = array('(({a} << ({b} & 31)) & 0xFFFFFFFF)', array($I, $I), $I);
		$p[0x75] = array('((' . $s32('{a}') . ' >> ({b} & 31)) & 0xFFFFFFFF)', array($I, $I), $I);
		$p[0x76] = array('({a} >> ({b} & 31))', array($I, $I), $I);
		$p[0x77] = array('Ops::rotl32({a}, {b})', array($I, $I), $I);
		$p[0x78] = array('Ops::rotr32({a}, {b})', array($I, $I), $I);

		$p[0x79] = array('Ops::clz64({a})', array($L), $L);
		$p[0x7A] = array('Ops::ctz64({a})', array($L), $L);
		$p[0x7B] = array('Ops::popcnt64({a})', array($L), $L);
		$p[0x7C] = array('(\is_int($t = {a} + {b}) ? $t : Ops::add64({a}, {b}))', array($L, $L), $L);
		$p[0x7D] = array('(\is_int($t = {a} - {b}) ? $t : Ops::sub64({a}, {b}))', array($L, $L), $L);
		$p[0x7E] = array('(\is_int($t = {a} * {b}) ? $t : Ops::mul64({a}, {b}))', array($L, $L), $L);
		$t[0x7F] = array('\intdiv({a}, {b})', array($L, $L), $L);
		$t[0x80] = array('Ops::divU64({a}, {b})', array($L, $L), $L);
		$t[0x81] = array('({a} % {b})', array($L, $L), $L);
		$t[0x82] = array('Ops::remU64({a}, {b})', array($L, $L), $L);
		$p[0x83] = array('({a} & {b})', array($L, $L), $L);
		$p[0x84] = array('({a} | {b})', array($L, $L), $L);
		$p[0x85] = array('({a} ^ {b})', array($L, $L), $L);
		$p[0x86] = array('({a} << ({b} & 63))', array($L, $L), $L);
		$p[0x87] = array('({a} >> ({b} & 63))', array($L, $L), $L);
		$p[0x88] = array('Ops::shrU64({a}, {b})', array($L, $L), $L);
		$p[0x89] = array('Ops::rotl64({a}, {b})', array($L, $L), $L);
		$p[0x8A] = array('Ops::rotr64({a}, {b})', array($L, $L), $L);

		$p[0x8B] = array('Ops::fabs({a})', array($F), $F);
		$p[0x8C] = array('Ops::fneg({a})', array($F), $F);
		$p[0x8D] = array('\ceil({a} * 1.0)', array($F), $F);
		$p[0x8E] = array('\floor({a} * 1.0)', array($F), $F);
		$p[0x8F] = array('Ops::ftrunc({a})', array($F), $F);
		$p[0x90] = array('Ops::fnearest({a})', array($F), $F);
		$p[0x91] = array('Ops::f32(\sqrt({a}))', array($F), $F);
		$p[0x92] = array('Ops::f32({a} + {b})', array($F, $F), $F);
		$p[0x93] = array('Ops::f32({a} - {b})', array($F, $F), $F);
		$p[0x94] = array('Ops::f32({a} * {b})', array($F, $F), $F);
		$p[0x95] = array('Ops::f32(\fdiv({a}, {b}))', array($F, $F), $F);
		$p[0x96] = array('Ops::fmin({a}, {b})', array($F, $F), $F);
		$p[0x97] = array('Ops::fmax({a}, {b})', array($F, $F), $F);
		$p[0x98] = array('Ops::copysign({a}, {b})', array($F, $F), $F);
		$p[0x99] = array('Ops::fabs({a})', array($D), $D);
		$p[0x9A] = array('Ops::fneg({a})', array($D), $D);
		$p[0x9B] = array('\ceil({a} * 1.0)', array($D), $D);
		$p[0x9C] = array('\floor({a} * 1.0)', array($D), $D);
		$p[0x9D] = array('Ops::ftrunc({a})', array($D), $D);
		$p[0x9E] = array('Ops::fnearest({a})', array($D), $D);
		$p[0x9F] = array('\sqrt({a})', array($D), $D);
		$p[0xA0] = array('({a} + {b})', array($D, $D), $D);
		$p[0xA1] = array('({a} - {b})', array($D, $D), $D);
		$p[0xA2] = array('({a} * {b})', array($D, $D), $D);
		$p[0xA3] = array('\fdiv({a}, {b})', array($D, $D), $D);
		$p[0xA4] = array('Ops::fmin({a}, {b})', array($D, $D), $D);
		$p[0xA5] = array('Ops::fmax({a}, {b})', array($D, $D), $D);
		$p[0xA6] = array('Ops::copysign({a}, {b})', array($D, $D), $D);

		$p[0xA7] = array('({a} & 0xFFFFFFFF)', array($L), $I);
		$t[0xA8] = array('Ops::truncS32({a})', array($F), $I);
		$t[0xA9] = array('Ops::truncU32({a})', array($F), $I);
		$t[0xAA] = array('Ops::truncS32({a})', array($D), $I);
		$t[0xAB] = array('Ops::truncU32({a})', array($D), $I);
		$p[0xAC] = array($s32('{a}'), array($I), $L);
		$p[0xAD] = array('{a}', array($I), $L);
		$t[0xAE] = array('Ops::truncS64({a})', array($F), $L);
		$t[0xAF] = array('Ops::truncU64({a})', array($F), $L);
		$t[0xB0] = array('Ops::truncS64({a})', array($D), $L);
		$t[0xB1] = array('Ops::truncU64({a})', array($D), $L);
		$p[0xB2] = array('Ops::f32((float) ' . $s32('{a}') . ')', array($I), $F);
		$p[0xB3] = array('Ops::f32((float) {a})', array($I), $F);
		$p[0xB4] = array('Ops::f32FromI64({a})', array($L), $F);
		$p[0xB5] = array('Ops::f32FromU64({a})', array($L), $F);
		$p[0xB6] = array('Ops::f32({a})', array($D), $F);
		$p[0xB7] = array('(float) ' . $s32('{a}'), array($I), $D);
		$p[0xB8] = array('(float) {a}', array($I), $D);
		$p[0xB9] = array('(float) {a}', array($L), $D);
		$p[0xBA] = array('Ops::f64FromU64({a})', array($L), $D);
		$p[0xBB] = array('({a} * 1.0)', array($F), $D); // Quiets a signalling NaN.
		$p[0xBC] = array('Ops::f32Bits({a})', array($F), $I);
		$p[0xBD] = array('Ops::f64Bits({a})', array($D), $L);
		$p[0xBE] = array('Ops::f32FromBits({a})', array($I), $F);
		$p[0xBF] = array('Ops::f64FromBits({a})', array($L), $D);
		$p[0xC0] = array('(((({a} & 0xFF) ^ 0x80) - 0x80) & 0xFFFFFFFF)', array($I), $I);
		$p[0xC1] = array('(((({a} & 0xFFFF) ^ 0x8000) - 0x8000) & 0xFFFFFFFF)', array($I), $I);
		$p[0xC2] = array('((({a} & 0xFF) ^ 0x80) - 0x80)', array($L), $L);
		$p[0xC3] = array('((({a} & 0xFFFF) ^ 0x8000) - 0x8000)', array($L), $L);
		$p[0xC4] = array('((({a} & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000)', array($L), $L);

		self::$pure     = $p;
		self::$trapping = $t;
	}
}
