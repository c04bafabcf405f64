<?php

declare(strict_types=1);

namespace SessionWarden\Wasm;

/**
 * The Session Warden engine component, run by the PHP runtime.
 *
 * Only the canonical-ABI glue the JSON entry point needs lives here:
 * `handle-json: func(request: string) -> string`, lowered by wit-bindgen to
 * the core export `handle-json(ptr: i32, len: i32) -> i32` returning a
 * pointer to a (ptr, len) pair, with `cabi_realloc` to allocate the argument
 * and `cabi_post_handle-json` to free the result.
 */
final class Engine {

	private CompiledModule $code;
	private ?Instance $instance = null;
	/** @var array<string, mixed> */
	private array $options;
	/** @var array<string, int> export name => function index */
	private array $fn = array();

	/**
	 * @param string $path the component (or its core module)
	 * @param array{cache_dir?: ?string, fuel?: ?int, max_stack_bytes?: int, max_memory_pages?: int, reuse_instance?: bool} $options
	 *        cache_dir: where translated PHP is kept (default: system temp dir; null disables);
	 *        fuel: step budget per call (function entries + loop iterations);
	 *        reuse_instance: keep one instance between calls (default true; a trap always discards it).
	 * @throws ModuleError when the binary is invalid or uses something unsupported.
	 */
	public static function load(string $path, array $options = array()): self {
		$binary = @file_get_contents($path);
		if (false === $binary) {
			throw new ModuleError("cannot read $path");
		}
		return self::fromBinary($binary, $options);
	}

	public static function fromBinary(string $binary, array $options = array()): self {
		$options += array(
			'cache_dir'        => sys_get_temp_dir() . '/session-warden-wasm',
			'fuel'             => 500000000,
			'max_stack_bytes'  => 33554432,
			'max_memory_pages' => 1024,
			'reuse_instance'   => true,
		);
		$e          = new self();
		$e->options = $options;
		$e->code    = CompiledModule::fromBinary(Decoder::extractCoreModule($binary), $options['cache_dir']);
		$m          = $e->code->module;
		if (!empty($m->imports)) {
			throw new ModuleError('the engine module must not import anything');
		}
		$want = array(
			'handle-json'           => '127,127>127',
			'cabi_post_handle-json' => '127>',
			'cabi_realloc'          => '127,127,127,127>127',
		);
		foreach ($want as $name => $sig) {
			$x = $m->exports[$name] ?? null;
			if (null === $x || 0 !== $x['kind'] || $e->code->funcSigs[$x['index']] !== $sig) {
				throw new ModuleError("engine export $name missing or not $sig");
			}
			$e->fn[$name] = $x['index'];
		}
		if (!isset($m->exports['memory']) || 2 !== $m->exports['memory']['kind']) {
			throw new ModuleError('engine does not export its memory');
		}
		return $e;
	}

	/**
	 * The engine's JSON protocol: one request object in, one reply object out.
	 *
	 * @throws Trap when the engine traps or runs out of steps, memory or stack.
	 */
	public function handleJson(string $request): string {
		return $this->stringCall('handle-json', $request);
	}

	/** A fresh instance (also used by benchmarks to measure instantiation). */
	public function newInstance(): Instance {
		return new Instance(
			$this->code,
			array(),
			array(
				'fuel'             => $this->options['fuel'],
				'max_stack_bytes'  => $this->options['max_stack_bytes'],
				'max_memory_pages' => $this->options['max_memory_pages'],
			)
		);
	}

	private function stringCall(string $export, string $arg): string {
		$inst = ($this->options['reuse_instance'] && null !== $this->instance) ? $this->instance : $this->newInstance();
		$this->instance = null; // Only given back after a clean call.
		try {
			$len = strlen($arg);
			$ptr = $inst->call($this->fn['cabi_realloc'], array(0, 0, 1, $len))[0];
			if ($ptr + $len > strlen($inst->mem)) {
				throw new Trap('cabi_realloc returned an out-of-bounds pointer');
			}
			if ($len > 0) {
				$inst->mem = substr_replace($inst->mem, $arg, $ptr, $len);
			}
			$ret = $inst->call($this->fn[$export], array($ptr, $len))[0];
			if ($ret + 8 > strlen($inst->mem)) {
				throw new Trap('return area out of bounds');
			}
			[, $p, $n] = unpack('V2', $inst->mem, $ret);
			if ($p + $n > strlen($inst->mem)) {
				throw new Trap('returned string out of bounds');
			}
			$out = substr($inst->mem, $p, $n);
			if (1 !== preg_match('//u', $out)) {
				throw new Trap('returned string is not valid UTF-8');
			}
			$inst->call($this->fn['cabi_post_' . $export], array($ret));
		} catch (Trap $t) {
			throw $t;
		}
		if ($this->options['reuse_instance']) {
			$this->instance = $inst;
		}
		return $out;
	}
}
