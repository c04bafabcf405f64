<?php

declare(strict_types=1);

namespace SessionWarden\Wasm;

/**
 * A decoded core module. Plain data: what the decoder found, in index spaces
 * that already include the imports (imported functions/globals come first).
 */
final class Module {

	public const I32       = 0x7F;
	public const I64       = 0x7E;
	public const F32       = 0x7D;
	public const F64       = 0x7C;
	public const FUNCREF   = 0x70;
	public const EXTERNREF = 0x6F;

	/** The binary this module was decoded from (function bodies are read from it). */
	public string $binary = '';

	/** @var list<array{0: list<int>, 1: list<int>}> params, results */
	public array $types = array();
	/** @var list<int> canonical id of each type index (structurally equal types share it) */
	public array $typeIds = array();

	/** @var list<array{module: string, name: string, kind: int, desc: mixed}> */
	public array $imports = array();

	/** @var list<int> type index of every function (imports first) */
	public array $funcTypes = array();
	public int $importedFuncs = 0;

	/** @var list<array{type: int, min: int, max: ?int, imported: bool}> */
	public array $tables = array();
	/** @var list<array{min: int, max: ?int, imported: bool}> */
	public array $memories = array();
	/** @var list<array{type: int, mutable: bool, init: ?array, imported: bool}> */
	public array $globals = array();

	/** @var array<string, array{kind: int, index: int}> */
	public array $exports = array();
	public ?int $start = null;

	/** @var list<array{mode: string, table: int, offset: ?array, type: int, items: list<array>}> */
	public array $elems = array();
	/** @var list<array{mode: string, memory: int, offset: ?array, bytes: string}> */
	public array $datas = array();
	public ?int $dataCount = null;
	/** @var ?array{0: int, 1: int} byte range of a data section not decoded yet (see Decoder::decode) */
	public ?array $dataSection = null;

	/** @var list<array{0: int, 1: int}> [start, end] byte range of each defined function's body */
	public array $bodies = array();

	/** @var array<int, true> functions that may be referenced by ref.func */
	public array $declaredRefs = array();

	/** @var array<int,string> function names from the name section (diagnostics only) */
	public array $names = array();
}
