<?php

declare(strict_types=1);

namespace SessionWarden\Wasm;

/**
 * A module instance: linear memory, globals, tables and the function table
 * the generated code calls through. Public properties are read and written
 * directly by generated code (`$I->mem`, `$I->g[..]`, `$I->t[..]`, `$I->f[..]`).
 */
final class Instance {

	public const PAGE = 65536;

	/** Linear memory (one byte per character). */
	public string $mem = '';
	/** Declared maximum of the memory in pages, null = 65536. */
	public ?int $memMax = null;
	/** @var array<int, mixed> */
	public array $g = array();
	/** @var array<int, list<?array>> tables of funcref ([funcIndex, Instance, sigKey]) or externref values */
	public array $t = array();
	/** @var array<int, ?int> */
	public array $tMax = array();
	/** @var array<int, \Closure> */
	public array $f = array();

	/** Remaining steps (function entries + loop iterations) for the current call. */
	public int $fuel = PHP_INT_MAX;
	/** Steps granted to each top-level call, null = unlimited. */
	public ?int $fuelPerCall = null;
	/** Budget for the PHP frames of nested wasm calls, in bytes (estimated per function). */
	public int $maxStack = 33554432;
	/** Host limit on linear memory, in pages. */
	public int $maxPages = 65536;
	public bool $memoryLimitHit = false;

	public CompiledModule $code;
	/** @var array<int, true> */
	private array $droppedData = array();
	/** @var array<int, true> */
	private array $droppedElem = array();
	/** @var array<int, array> */
	private array $refs = array();

	/**
	 * @param array<string, array<string, array>> $imports module => name => extern (see export())
	 * @param array{fuel?: ?int, max_stack_bytes?: int, max_memory_pages?: int} $options
	 */
	public function __construct(CompiledModule $code, array $imports = array(), array $options = array()) {
		$this->code        = $code;
		$this->fuelPerCall = $options['fuel'] ?? null;
		$this->maxStack    = $options['max_stack_bytes'] ?? 33554432;
		$this->maxPages    = $options['max_memory_pages'] ?? 65536;
		$m                 = $code->module;

		$gi = 0;
		$ti = 0;
		$fi = 0;
		foreach ($m->imports as $imp) {
			$ext = $imports[$imp['module']][$imp['name']] ?? null;
			if (null === $ext) {
				throw new LinkError('unknown import ' . $imp['module'] . '.' . $imp['name']);
			}
			$this->link($imp, $ext, $fi, $gi, $ti);
		}

		// Globals.
		foreach ($m->globals as $i => $gl) {
			if (!$gl['imported']) {
				$this->g[$i] = $this->constValue($gl['init']);
			}
		}

		// Memory.
		foreach ($m->memories as $mem) {
			if ($mem['imported']) {
				continue;
			}
			if ($mem['min'] > $this->maxPages) {
				throw new Trap('memory limit: module needs ' . $mem['min'] . ' pages', Trap::KIND_MEMORY);
			}
			$this->memMax = $mem['max'];
			$image        = $code->memoryImage();
			$this->mem    = $image ?? str_repeat("\0", $mem['min'] * self::PAGE);
		}

		// Tables.
		foreach ($m->tables as $i => $tab) {
			if (!$tab['imported']) {
				$this->t[$i]    = $tab['min'] > 0 ? array_fill(0, $tab['min'], null) : array();
				$this->tMax[$i] = $tab['max'];
			}
		}

		// Active element segments, then data segments (each bounds-checked in order).
		foreach ($m->elems as $i => $seg) {
			if ('active' === $seg['mode']) {
				$n = count($seg['items']);
				$this->tableInit($seg['table'], $i, $this->constValue($seg['offset']), 0, $n);
			}
			if ('passive' !== $seg['mode']) {
				$this->droppedElem[$i] = true;
			}
		}
		$fromImage = null !== $code->memoryImage();
		if (!$fromImage) {
			Decoder::decodeData($m);
		}
		$constData = true;
		$sorted    = true; // Active segments in increasing, non-overlapping order can be concatenated.
		$pos       = 0;
		$active    = array();
		foreach ($m->datas as $i => $seg) {
			if ('active' !== $seg['mode']) {
				continue;
			}
			if ('i32' !== $seg['offset'][0]) {
				$constData = false;
			}
			if ($fromImage) {
				continue;
			}
			$off = $this->constValue($seg['offset']);
			if ($off < $pos) {
				$sorted = false;
			}
			$pos      = $off + strlen($seg['bytes']);
			$active[] = array($off, $seg['bytes']);
		}
		if (!$fromImage && $active) {
			$this->applyData($active, $sorted);
		}
		if (!$fromImage && $constData && 1 === count($m->memories) && !$m->memories[0]['imported']) {
			$code->setMemoryImage($this->mem);
		}

		if (null !== $m->start) {
			$this->call($m->start, array());
		}
	}

	/**
	 * Write the active data segments. Rebuilding the memory string once per
	 * segment would copy the whole memory thousands of times (rustc emits one
	 * segment per constant), so sorted segments are concatenated in one pass.
	 */
	private function applyData(array $active, bool $sorted): void {
		$size = strlen($this->mem);
		if ($sorted) {
			$parts = array();
			$pos   = 0;
			foreach ($active as [$off, $bytes]) {
				$len = strlen($bytes);
				if ($off + $len > $size) {
					break; // The slow path below reports the failing segment.
				}
				$parts[] = str_repeat("\0", $off - $pos);
				$parts[] = $bytes;
				$pos     = $off + $len;
			}
			if (count($parts) === 2 * count($active)) {
				$parts[]   = str_repeat("\0", $size - $pos);
				$this->mem = implode('', $parts);
				return;
			}
		}
		foreach ($active as [$off, $bytes]) {
			$len = strlen($bytes);
			if ($off + $len > $size) {
				throw new Trap('out of bounds memory access (data segment does not fit)');
			}
			if ($len > 0) {
				$this->mem = substr_replace($this->mem, $bytes, $off, $len);
			}
		}
	}

	private function link(array $imp, array $ext, int &$fi, int &$gi, int &$ti): void {
		$m = $this->code->module;
		switch ($imp['kind']) {
			case 0:
				if ('func' !== $ext[0]) {
					throw new LinkError('incompatible import type for ' . $imp['name']);
				}
				[, $other, $idx] = $ext;
				$want            = Compiler::sigKey($m->types[$imp['desc']]);
				if ($other->code->funcSigs[$idx] !== $want) {
					throw new LinkError('incompatible import type for ' . $imp['name'] . ' (signature)');
				}
				$this->f[$fi] = static function ($I, $d, ...$args) use ($other, $idx) {
					return ($other->f[$idx] ?? $other->lf($idx))($other, $d, ...$args);
				};
				$this->refs[$fi] = $other->ref($idx);
				$fi++;
				break;
			case 1:
				if ('table' !== $ext[0]) {
					throw new LinkError('incompatible import type for ' . $imp['name']);
				}
				[, $other, $idx] = $ext;
				$otype           = $other->code->module->tables[$idx]['type'];
				$size            = count($other->t[$idx]);
				$max             = $other->tMax[$idx];
				if ($otype !== $imp['desc']['type'] || $size < $imp['desc']['min']
					|| (null !== $imp['desc']['max'] && (null === $max || $max > $imp['desc']['max']))) {
					throw new LinkError('incompatible import type for ' . $imp['name'] . ' (table)');
				}
				$this->t[$ti]    = &$other->t[$idx];
				$this->tMax[$ti] = &$other->tMax[$idx];
				$ti++;
				break;
			case 2:
				if ('memory' !== $ext[0]) {
					throw new LinkError('incompatible import type for ' . $imp['name']);
				}
				$other = $ext[1];
				$pages = strlen($other->mem) >> 16;
				if ($pages < $imp['desc']['min']
					|| (null !== $imp['desc']['max'] && (null === $other->memMax || $other->memMax > $imp['desc']['max']))) {
					throw new LinkError('incompatible import type for ' . $imp['name'] . ' (memory)');
				}
				$this->mem    = &$other->mem;
				$this->memMax = &$other->memMax;
				break;
			case 3:
				if ('global' !== $ext[0]) {
					throw new LinkError('incompatible import type for ' . $imp['name']);
				}
				[, $other, $idx] = $ext;
				$og              = $other->code->module->globals[$idx];
				if ($og['type'] !== $imp['desc']['type'] || $og['mutable'] !== $imp['desc']['mutable']) {
					throw new LinkError('incompatible import type for ' . $imp['name'] . ' (global)');
				}
				$this->g[$gi] = &$other->g[$idx];
				$gi++;
				break;
		}
	}

	/** An export as an extern value another instance can import. */
	public function export(string $name): array {
		$e = $this->code->module->exports[$name] ?? null;
		if (null === $e) {
			throw new LinkError("unknown export $name");
		}
		return array(array('func', 'table', 'memory', 'global')[$e['kind']], $this, $e['index']);
	}

	private function constValue(array $e) {
		switch ($e[0]) {
			case 'i32':
			case 'i64':
			case 'f32':
			case 'f64':
				return $e[1];
			case 'global':
				return $this->g[$e[1]];
			case 'ref.null':
				return null;
			case 'ref.func':
				return $this->ref($e[1]);
		}
		throw new ModuleError('unknown constant expression');
	}

	// ---- called from generated code -----------------------------------------

	/** Compiled closure of function $i, loaded on first use. */
	public function lf(int $i): \Closure {
		return $this->f[$i] = $this->code->closure($i);
	}

	public function ref(int $i): array {
		return $this->refs[$i] ??= array($i, $this, $this->code->funcSigs[$i]);
	}

	/** @return never */
	public function outOfFuel() {
		$this->fuel = 0;
		throw new Trap('step budget exhausted', Trap::KIND_FUEL);
	}

	public function grow(int $n): int {
		$old = strlen($this->mem) >> 16;
		$new = $old + $n;
		if ($new > ($this->memMax ?? 65536)) {
			return 0xFFFFFFFF;
		}
		if ($new > $this->maxPages) {
			// Wasm lets grow fail; the trap that usually follows is reported as a memory limit.
			$this->memoryLimitHit = true;
			return 0xFFFFFFFF;
		}
		if ($n > 0) {
			$this->mem .= str_repeat("\0", $n * self::PAGE);
		}
		return $old;
	}

	public function memoryInit(int $seg, int $dst, int $src, int $n): void {
		Decoder::decodeData($this->code->module);
		$data = $this->code->module->datas[$seg];
		// Active segments count as dropped once instantiation has applied them.
		$bytes = isset($this->droppedData[$seg]) || 'active' === $data['mode'] ? '' : $data['bytes'];
		if ($src + $n > strlen($bytes) || $dst + $n > strlen($this->mem)) {
			throw new Trap('out of bounds memory access');
		}
		if ($n > 0) {
			$this->mem = substr_replace($this->mem, substr($bytes, $src, $n), $dst, $n);
		}
	}

	public function dataDrop(int $seg): void {
		$this->droppedData[$seg] = true;
	}

	public function tableGet(int $t, int $i) {
		if ($i >= count($this->t[$t])) {
			throw new Trap('out of bounds table access');
		}
		return $this->t[$t][$i];
	}

	public function tableSet(int $t, int $i, $v): void {
		if ($i >= count($this->t[$t])) {
			throw new Trap('out of bounds table access');
		}
		$this->t[$t][$i] = $v;
	}

	public function tableGrow(int $t, $v, int $n): int {
		$old = count($this->t[$t]);
		$new = $old + $n;
		if ($new > ($this->tMax[$t] ?? 0xFFFFFFFF) || $new > 10000000) {
			return 0xFFFFFFFF;
		}
		for ($i = $old; $i < $new; $i++) {
			$this->t[$t][$i] = $v;
		}
		return $old;
	}

	public function tableFill(int $t, int $i, $v, int $n): void {
		if ($i + $n > count($this->t[$t])) {
			throw new Trap('out of bounds table access');
		}
		for ($k = 0; $k < $n; $k++) {
			$this->t[$t][$i + $k] = $v;
		}
	}

	public function tableCopy(int $dt, int $st, int $d, int $s, int $n): void {
		if ($s + $n > count($this->t[$st]) || $d + $n > count($this->t[$dt])) {
			throw new Trap('out of bounds table access');
		}
		$items = array_slice($this->t[$st], $s, $n);
		foreach ($items as $k => $v) {
			$this->t[$dt][$d + $k] = $v;
		}
	}

	public function tableInit(int $t, int $seg, int $d, int $s, int $n): void {
		$items = isset($this->droppedElem[$seg]) ? array() : $this->code->module->elems[$seg]['items'];
		if ($s + $n > count($items) || $d + $n > count($this->t[$t])) {
			throw new Trap('out of bounds table access');
		}
		for ($k = 0; $k < $n; $k++) {
			$this->t[$t][$d + $k] = $this->constValue($items[$s + $k]);
		}
	}

	public function elemDrop(int $seg): void {
		$this->droppedElem[$seg] = true;
	}

	// ---- calling in ---------------------------------------------------------

	/**
	 * Call function $idx with already-encoded arguments (i32 as unsigned int,
	 * i64 as int, floats as float). Returns the list of results.
	 *
	 * @throws Trap
	 */
	public function call(int $idx, array $args): array {
		$m    = $this->code->module;
		$type = $m->types[$m->funcTypes[$idx]];
		if (count($args) !== count($type[0])) {
			throw new \InvalidArgumentException('wrong number of arguments');
		}
		$this->fuel           = $this->fuelPerCall ?? PHP_INT_MAX;
		$this->memoryLimitHit = false;
		try {
			$r = ($this->f[$idx] ?? $this->lf($idx))($this, $this->maxStack, ...$args);
		} catch (Trap $t) {
			if ($this->memoryLimitHit && Trap::KIND_TRAP === $t->kind) {
				throw new Trap('memory limit of ' . $this->maxPages . ' pages reached (' . $t->getMessage() . ')', Trap::KIND_MEMORY, $t);
			}
			throw $t;
		} catch (\DivisionByZeroError $e) {
			throw new Trap('integer divide by zero', Trap::KIND_TRAP, $e);
		} catch (\ArithmeticError $e) {
			throw new Trap('integer overflow', Trap::KIND_TRAP, $e);
		} catch (\Error $e) {
			// A bug in the runtime must still not take PHP down with it.
			throw new Trap('internal runtime error: ' . $e->getMessage(), 'internal', $e);
		}
		$n = count($type[1]);
		return 0 === $n ? array() : (1 === $n ? array($r) : $r);
	}

	/** Call an exported function by name. */
	public function invoke(string $name, array $args = array()): array {
		$e = $this->code->module->exports[$name] ?? null;
		if (null === $e || 0 !== $e['kind']) {
			throw new LinkError("unknown function export $name");
		}
		return $this->call($e['index'], $args);
	}

	public function global(string $name) {
		$e = $this->code->module->exports[$name] ?? null;
		if (null === $e || 3 !== $e['kind']) {
			throw new LinkError("unknown global export $name");
		}
		return $this->g[$e['index']];
	}
}
