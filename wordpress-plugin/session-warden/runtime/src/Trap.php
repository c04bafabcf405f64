<?php

declare(strict_types=1);

namespace SessionWarden\Wasm;

/**
 * A WebAssembly trap, an exhausted step budget, a memory limit or too deep a
 * call stack: everything that aborts a running call. The instance must not be
 * reused after a trap (its memory may be half-updated).
 */
final class Trap extends \RuntimeException {

	public const KIND_TRAP       = 'trap';
	public const KIND_FUEL       = 'fuel';
	public const KIND_MEMORY     = 'memory';
	public const KIND_EXHAUSTION = 'exhaustion';

	public string $kind;

	public function __construct(string $message, string $kind = self::KIND_TRAP, ?\Throwable $previous = null) {
		parent::__construct($message, 0, $previous);
		$this->kind = $kind;
	}
}
