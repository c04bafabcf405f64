<?php
/**
 * The PHP harness: sw_test(), sw_skip() and a few assertions (zend.assertions is off in Debian's php.ini).
 */

final class SW_Skip extends Exception {}
final class SW_Assertion_Failed extends Exception {}

final class SW_Test {
	public static string $file = '';
	/** @var array<int, array{string, callable}> */
	private static array $tests = array();

	public static function add( string $name, callable $fn ): void {
		self::$tests[] = array( self::$file . ': ' . $name, $fn );
	}

	public static function run( ?string $filter ): int {
		$counts = array(
			'pass' => 0,
			'fail' => 0,
			'skip' => 0,
		);
		$n      = 0;
		echo "TAP version 13\n";
		foreach ( self::$tests as [ $name, $fn ] ) {
			if ( null !== $filter && ! preg_match( '/' . $filter . '/', $name ) ) {
				continue;
			}
			++$n;
			$t0 = microtime( true );
			try {
				$fn();
				++$counts['pass'];
				printf( "ok %d - %s # time=%.0fms\n", $n, $name, ( microtime( true ) - $t0 ) * 1000 );
			} catch ( SW_Skip $e ) {
				++$counts['skip'];
				printf( "ok %d - %s # SKIP %s\n", $n, $name, $e->getMessage() );
			} catch ( Throwable $e ) {
				++$counts['fail'];
				printf( "not ok %d - %s\n  ---\n  error: %s\n  type: %s\n  at: %s:%d\n  ...\n", $n, $name, str_replace( "\n", "\n    ", $e->getMessage() ), get_class( $e ), $e->getFile(), $e->getLine() );
			}
		}
		printf( "1..%d\n# pass %d\n# fail %d\n# skip %d\n", $n, $counts['pass'], $counts['fail'], $counts['skip'] );
		return $counts['fail'] > 0 ? 1 : 0;
	}
}

function sw_test( string $name, callable $fn ): void {
	SW_Test::add( $name, $fn );
}

function sw_skip( string $why ): void {
	throw new SW_Skip( $why );
}

function sw_fail( string $message ): void {
	throw new SW_Assertion_Failed( $message );
}

function sw_assert( bool $condition, string $message = 'assertion failed' ): void {
	if ( ! $condition ) {
		sw_fail( $message );
	}
}

function sw_assert_same( $expected, $actual, string $message = '' ): void {
	if ( $expected !== $actual ) {
		sw_fail( ( $message ? "$message: " : '' ) . 'expected ' . var_export( $expected, true ) . ', got ' . var_export( $actual, true ) );
	}
}

function sw_assert_match( string $pattern, string $actual, string $message = '' ): void {
	if ( ! preg_match( $pattern, $actual ) ) {
		sw_fail( ( $message ? "$message: " : '' ) . var_export( $actual, true ) . " does not match $pattern" );
	}
}

/** Runs $fn and returns the exception it throws (failing if it throws none or another class). */
function sw_assert_throws( string $class, callable $fn ): Throwable {
	try {
		$fn();
	} catch ( Throwable $e ) {
		if ( $e instanceof $class ) {
			return $e;
		}
		sw_fail( "expected $class, got " . get_class( $e ) . ': ' . $e->getMessage() );
	}
	sw_fail( "expected $class, nothing was thrown" );
}

/** Fails unless the installed plugin ships its engine (binary and precompiled artifact). */
function sw_require_engine(): void {
	global $sw_env;
	$dir = $sw_env['engine']['dir'];
	if ( ! is_file( "$dir/session-warden-engine" ) || ! is_file( "$dir/session-warden.cwasm" ) ) {
		sw_fail( "the installed plugin has no engine in $dir" );
	}
}

/** An option's row as stored: [value, autoload], or null when there is none. */
function sw_option_row( string $option ): ?array {
	global $wpdb;
	$row = $wpdb->get_row( $wpdb->prepare( "SELECT option_value, autoload FROM {$wpdb->options} WHERE option_name = %s", $option ), ARRAY_N );
	return $row ?: null;
}

/** Puts an option's row back as sw_option_row() returned it (none for null), bypassing the option API and its cache. */
function sw_put_option_row( string $option, ?array $row ): void {
	global $wpdb;
	$wpdb->delete( $wpdb->options, array( 'option_name' => $option ) );
	if ( null !== $row ) {
		$wpdb->insert(
			$wpdb->options,
			array(
				'option_name'  => $option,
				'option_value' => $row[0],
				'autoload'     => $row[1],
			)
		);
	}
	wp_cache_delete( $option, 'options' );
}
