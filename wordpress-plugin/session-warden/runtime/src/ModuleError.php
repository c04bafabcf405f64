<?php

declare(strict_types=1);

namespace SessionWarden\Wasm;

/**
 * The binary is malformed, invalid, or uses something this runtime does not
 * support. Always raised at load time, never in the middle of a call.
 */
final class ModuleError extends \RuntimeException {
}
