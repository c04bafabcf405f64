<?php

declare(strict_types=1);

namespace SessionWarden\Wasm;

/**
 * Decodes a core module (or the core module inside a component) into a
 * Module. Everything except function bodies is checked here; bodies are
 * validated by the Compiler, which every body passes through before a
 * module is accepted.
 */
final class Decoder {

	private const MAGIC = "\0asm";

	/** The one core module inside a component binary (component-model layer 1). */
	public static function extractCoreModule(string $binary): string {
		if (strlen($binary) < 8 || self::MAGIC !== substr($binary, 0, 4)) {
			throw new ModuleError('magic header not detected');
		}
		if ("\x01\0\0\0" === substr($binary, 4, 4)) {
			return $binary; // Already a core module.
		}
		if ("\x0d\0\x01\0" !== substr($binary, 4, 4)) {
			throw new ModuleError('unknown binary version');
		}
		$r       = new BinaryReader($binary, 8);
		$modules = array();
		while (!$r->eof()) {
			$id   = $r->byte();
			$size = $r->u32();
			$body = $r->pos;
			if (1 === $id) { // core:module section: a whole core module.
				$modules[] = substr($binary, $body, $size);
			}
			$r->pos = $body + $size;
		}
		if (1 !== count($modules)) {
			throw new ModuleError('expected exactly one core module in the component, found ' . count($modules));
		}
		return $modules[0];
	}

	/**
	 * @param bool $lazyData leave the data section undecoded until needed (for a
	 *        module already validated, whose memory image is cached: rustc emits
	 *        thousands of data segments and decoding them is most of a load).
	 */
	public static function decode(string $binary, bool $lazyData = false): Module {
		$m         = new Module();
		$m->binary = $binary;
		$r         = new BinaryReader($binary);
		if (self::MAGIC !== $r->bytes(4)) {
			throw new ModuleError('magic header not detected');
		}
		if ("\x01\0\0\0" !== $r->bytes(4)) {
			throw new ModuleError('unknown binary version');
		}
		$funcDecls = null;
		$lastId    = 0;
		$order     = array(1 => 1, 2 => 2, 3 => 3, 4 => 4, 5 => 5, 6 => 6, 7 => 7, 8 => 8, 9 => 9, 12 => 10, 10 => 11, 11 => 12);
		$codeSeen  = false;
		while (!$r->eof()) {
			$id   = $r->byte();
			$size = $r->u32();
			$end  = $r->pos + $size;
			if ($end > $r->end) {
				throw new ModuleError('section size mismatch: unexpected end');
			}
			$s = new BinaryReader($binary, $r->pos, $end);
			if (0 !== $id) {
				if (!isset($order[$id])) {
					throw new ModuleError("malformed section id $id");
				}
				if ($order[$id] <= $lastId) {
					throw new ModuleError('unexpected content after last section / junk after last section (section order)');
				}
				$lastId = $order[$id];
			}
			switch ($id) {
				case 0:
					// Custom sections (names, producers, bindgen metadata) do not affect
					// execution; only the name is checked so malformed ones are rejected.
					$s->name();
					$s->pos = $end;
					break;
				case 1:
					self::types($s, $m);
					break;
				case 2:
					self::imports($s, $m);
					break;
				case 3:
					$funcDecls = array();
					for ($n = $s->u32(); $n > 0; $n--) {
						$funcDecls[] = $s->u32();
					}
					break;
				case 4:
					for ($n = $s->u32(); $n > 0; $n--) {
						$m->tables[] = self::tableType($s) + array('imported' => false);
					}
					break;
				case 5:
					for ($n = $s->u32(); $n > 0; $n--) {
						$m->memories[] = self::memType($s) + array('imported' => false);
					}
					break;
				case 6:
					for ($n = $s->u32(); $n > 0; $n--) {
						$type          = self::valType($s);
						$mut           = self::mutability($s);
						$m->globals[] = array('type' => $type, 'mutable' => $mut, 'init' => self::constExpr($s, $m, $type), 'imported' => false);
					}
					break;
				case 7:
					for ($n = $s->u32(); $n > 0; $n--) {
						$name = $s->name();
						$kind = $s->byte();
						$idx  = $s->u32();
						if ($kind > 3) {
							throw new ModuleError('malformed export kind');
						}
						if (isset($m->exports[$name])) {
							throw new ModuleError('duplicate export name');
						}
						$m->exports[$name] = array('kind' => $kind, 'index' => $idx);
					}
					break;
				case 8:
					$m->start = $s->u32();
					break;
				case 9:
					self::elems($s, $m);
					break;
				case 12:
					$m->dataCount = $s->u32();
					break;
				case 10:
					$codeSeen = true;
					$n        = $s->u32();
					if (count($funcDecls ?? array()) !== $n) {
						throw new ModuleError('function and code section have inconsistent lengths');
					}
					for ($i = 0; $i < $n; $i++) {
						$len         = $s->u32();
						$m->bodies[] = array($s->pos, $s->pos + $len);
						$s->pos     += $len;
						if ($s->pos > $end) {
							throw new ModuleError('unexpected end of section or function');
						}
					}
					break;
				case 11:
					if ($lazyData) {
						$m->dataSection = array($s->pos, $end);
						$s->pos         = $end;
						break;
					}
					self::dataSegments($s, $m);
					break;
			}
			if ($s->pos !== $end) {
				throw new ModuleError('section size mismatch');
			}
			$r->pos = $end;
		}
		if (null !== $funcDecls && count($funcDecls) > 0 && !$codeSeen) {
			throw new ModuleError('function and code section have inconsistent lengths');
		}
		if (null === $m->dataCount && !empty($m->datas)) {
			// Fine: the data count section is only needed by memory.init/data.drop.
		}
		foreach ($funcDecls ?? array() as $t) {
			if ($t >= count($m->types)) {
				throw new ModuleError("unknown type $t");
			}
			$m->funcTypes[] = $t;
		}
		self::checkModule($m);
		return $m;
	}

	public static function decodeData(Module $m): void {
		if (null === $m->dataSection) {
			return;
		}
		[$start, $end]   = $m->dataSection;
		$m->dataSection = null;
		self::dataSegments(new BinaryReader($m->binary, $start, $end), $m);
	}

	private static function dataSegments(BinaryReader $s, Module $m): void {
		$n = $s->u32();
		if (null !== $m->dataCount && $m->dataCount !== $n) {
			throw new ModuleError('data count and data section have inconsistent lengths');
		}
		for ($i = 0; $i < $n; $i++) {
			$flag = $s->u32();
			if (0 === $flag) {
				$seg = array('mode' => 'active', 'memory' => 0, 'offset' => self::constExpr($s, $m, Module::I32));
			} elseif (1 === $flag) {
				$seg = array('mode' => 'passive', 'memory' => 0, 'offset' => null);
			} elseif (2 === $flag) {
				$mem = $s->u32();
				$seg = array('mode' => 'active', 'memory' => $mem, 'offset' => self::constExpr($s, $m, Module::I32));
			} else {
				throw new ModuleError('malformed data segment flags');
			}
			$seg['bytes'] = $s->bytes($s->u32());
			if ('active' === $seg['mode'] && $seg['memory'] >= count($m->memories)) {
				throw new ModuleError('unknown memory ' . $seg['memory']);
			}
			$m->datas[] = $seg;
		}
	}

	private static function checkModule(Module $m): void {
		if (count($m->memories) > 1) {
			throw new ModuleError('multiple memories are not supported');
		}
		$nf = count($m->funcTypes);
		foreach ($m->exports as $name => $e) {
			$limit = array($nf, count($m->tables), count($m->memories), count($m->globals))[$e['kind']];
			if ($e['index'] >= $limit) {
				throw new ModuleError('unknown ' . array('function', 'table', 'memory', 'global')[$e['kind']] . ' in export ' . $name);
			}
			if (0 === $e['kind']) {
				$m->declaredRefs[$e['index']] = true;
			}
		}
		if (null !== $m->start) {
			if ($m->start >= $nf) {
				throw new ModuleError('unknown function');
			}
			$t = $m->types[$m->funcTypes[$m->start]];
			if ($t[0] || $t[1]) {
				throw new ModuleError('start function must be [] -> []');
			}
		}
		foreach ($m->globals as $g) {
			if (null !== $g['init'] && 'ref.func' === $g['init'][0] && $g['init'][1] >= $nf) {
				throw new ModuleError('unknown function ' . $g['init'][1]);
			}
		}
		foreach ($m->elems as $seg) {
			if ('active' === $seg['mode'] && $seg['table'] >= count($m->tables)) {
				throw new ModuleError('unknown table ' . $seg['table']);
			}
			if ('active' === $seg['mode'] && $m->tables[$seg['table']]['type'] !== $seg['type']) {
				throw new ModuleError('type mismatch in element segment');
			}
			foreach ($seg['items'] as $it) {
				if ('ref.func' === $it[0] && $it[1] >= $nf) {
					throw new ModuleError('unknown function ' . $it[1]);
				}
			}
		}
	}

	private static function types(BinaryReader $s, Module $m): void {
		$canon = array();
		for ($n = $s->u32(); $n > 0; $n--) {
			if (0x60 !== $s->byte()) {
				throw new ModuleError('malformed function type (only function types are supported)');
			}
			$params = array();
			for ($k = $s->u32(); $k > 0; $k--) {
				$params[] = self::valType($s);
			}
			$results = array();
			for ($k = $s->u32(); $k > 0; $k--) {
				$results[] = self::valType($s);
			}
			$m->types[]   = array($params, $results);
			$key          = implode(',', $params) . '>' . implode(',', $results);
			$canon[$key]  = $canon[$key] ?? count($canon);
			$m->typeIds[] = $canon[$key];
		}
	}

	private static function imports(BinaryReader $s, Module $m): void {
		for ($n = $s->u32(); $n > 0; $n--) {
			$mod  = $s->name();
			$name = $s->name();
			$kind = $s->byte();
			switch ($kind) {
				case 0:
					$t = $s->u32();
					if ($t >= count($m->types)) {
						throw new ModuleError("unknown type $t");
					}
					$m->funcTypes[] = $t;
					$m->importedFuncs++;
					$desc = $t;
					break;
				case 1:
					$desc        = self::tableType($s);
					$m->tables[] = $desc + array('imported' => true);
					break;
				case 2:
					$desc          = self::memType($s);
					$m->memories[] = $desc + array('imported' => true);
					break;
				case 3:
					$type         = self::valType($s);
					$mut          = self::mutability($s);
					$desc         = array('type' => $type, 'mutable' => $mut);
					$m->globals[] = $desc + array('init' => null, 'imported' => true);
					break;
				default:
					throw new ModuleError('malformed import kind');
			}
			$m->imports[] = array('module' => $mod, 'name' => $name, 'kind' => $kind, 'desc' => $desc);
		}
	}

	public static function valType(BinaryReader $s): int {
		$t = $s->byte();
		if (Module::I32 === $t || Module::I64 === $t || Module::F32 === $t || Module::F64 === $t || Module::FUNCREF === $t || Module::EXTERNREF === $t) {
			return $t;
		}
		if (0x7B === $t) {
			throw new ModuleError('unsupported feature: SIMD (v128)');
		}
		throw new ModuleError(sprintf('malformed value type 0x%02x', $t));
	}

	private static function mutability(BinaryReader $s): bool {
		$b = $s->byte();
		if ($b > 1) {
			throw new ModuleError('malformed mutability');
		}
		return 1 === $b;
	}

	/** @return array{min: int, max: ?int} */
	private static function limits(BinaryReader $s, int $bits = 32): array {
		$flag = $s->byte();
		if ($flag > 1) {
			if (in_array($flag, array(2, 3), true)) {
				throw new ModuleError('unsupported feature: shared memory (threads)');
			}
			if ($flag >= 4 && $flag <= 7) {
				throw new ModuleError('unsupported feature: memory64');
			}
			throw new ModuleError('integer too large / malformed limits flags');
		}
		$min = $s->u32();
		$max = 1 === $flag ? $s->u32() : null;
		return array('min' => $min, 'max' => $max);
	}

	private static function tableType(BinaryReader $s): array {
		$t = $s->byte();
		if (Module::FUNCREF !== $t && Module::EXTERNREF !== $t) {
			throw new ModuleError('malformed reference type');
		}
		$l = self::limits($s);
		if (null !== $l['max'] && $l['max'] < $l['min']) {
			throw new ModuleError('size minimum must not be greater than maximum');
		}
		return array('type' => $t) + $l;
	}

	private static function memType(BinaryReader $s): array {
		$l = self::limits($s);
		if ($l['min'] > 65536 || (null !== $l['max'] && $l['max'] > 65536)) {
			throw new ModuleError('memory size must be at most 65536 pages (4GiB)');
		}
		if (null !== $l['max'] && $l['max'] < $l['min']) {
			throw new ModuleError('size minimum must not be greater than maximum');
		}
		return $l;
	}

	/**
	 * A constant expression, as [kind, value]: the MVP forms plus ref.null/ref.func.
	 */
	public static function constExpr(BinaryReader $s, Module $m, int $expect): array {
		$op = $s->byte();
		switch ($op) {
			case 0x41:
				$e = array('i32', $s->sleb(32) & 0xFFFFFFFF);
				$t = Module::I32;
				break;
			case 0x42:
				$e = array('i64', $s->sleb(64));
				$t = Module::I64;
				break;
			case 0x43:
				$e = array('f32', unpack('g', $s->bytes(4))[1], unpack('V', substr($s->data, $s->pos - 4, 4))[1]);
				$t = Module::F32;
				break;
			case 0x44:
				$e = array('f64', unpack('e', $s->bytes(8))[1]);
				$t = Module::F64;
				break;
			case 0x23:
				$g = $s->u32();
				if ($g >= count($m->globals)) {
					throw new ModuleError("unknown global $g");
				}
				if (!$m->globals[$g]['imported'] || $m->globals[$g]['mutable']) {
					throw new ModuleError('constant expression required (global.get of a non-imported or mutable global)');
				}
				$e = array('global', $g);
				$t = $m->globals[$g]['type'];
				break;
			case 0xD0:
				$t = $s->byte();
				if (Module::FUNCREF !== $t && Module::EXTERNREF !== $t) {
					throw new ModuleError('malformed reference type');
				}
				$e = array('ref.null', $t);
				break;
			case 0xD2:
				$f                     = $s->u32();
				$m->declaredRefs[$f] = true;
				$e                     = array('ref.func', $f);
				$t                     = Module::FUNCREF;
				break;
			default:
				if (0x0B === $op) {
					throw new ModuleError('type mismatch: empty constant expression');
				}
				throw new ModuleError(sprintf('constant expression required (opcode 0x%02x)', $op));
		}
		$end = $s->byte();
		if (0x0B !== $end) {
			throw new ModuleError('constant expression required / type mismatch (more than one instruction)');
		}
		if ($t !== $expect) {
			throw new ModuleError('type mismatch in constant expression');
		}
		return $e;
	}

	private static function elems(BinaryReader $s, Module $m): void {
		for ($n = $s->u32(); $n > 0; $n--) {
			$flag = $s->u32();
			if ($flag > 7) {
				throw new ModuleError('malformed elements segment kind');
			}
			$mode   = ($flag & 1) ? (($flag & 2) ? 'declarative' : 'passive') : 'active';
			$table  = 0;
			$offset = null;
			if ('active' === $mode) {
				if ($flag & 2) {
					$table = $s->u32();
				}
				$offset = self::constExpr($s, $m, Module::I32);
			}
			$type  = Module::FUNCREF;
			$items = array();
			if ($flag & 4) { // Expressions.
				if ($flag & 3) {
					$type = $s->byte();
					if (Module::FUNCREF !== $type && Module::EXTERNREF !== $type) {
						throw new ModuleError('malformed reference type');
					}
				}
				for ($k = $s->u32(); $k > 0; $k--) {
					$items[] = self::constExpr($s, $m, $type);
				}
			} else {
				if ($flag & 3) {
					if (0 !== $s->byte()) {
						throw new ModuleError('malformed element kind');
					}
				}
				for ($k = $s->u32(); $k > 0; $k--) {
					$f                     = $s->u32();
					$m->declaredRefs[$f] = true;
					$items[]               = array('ref.func', $f);
				}
			}
			$m->elems[] = array('mode' => $mode, 'table' => $table, 'offset' => $offset, 'type' => $type, 'items' => $items);
		}
	}

	private static function names(BinaryReader $s, Module $m): void {
		while (!$s->eof()) {
			$id   = $s->byte();
			$size = $s->u32();
			$end  = $s->pos + $size;
			if (1 === $id) {
				for ($n = $s->u32(); $n > 0; $n--) {
					$idx            = $s->u32();
					$m->names[$idx] = $s->name();
				}
			}
			$s->pos = $end;
		}
	}
}
