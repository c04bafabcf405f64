<?php
/**
 * REST route for the engine's status: GET /engine, the same figures as Tools → Session Warden Engine
 * (Engine_Panel::status(), measured now) plus the last recorded failure. Needs manage_options.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Rest_Engine {

	public static function register_routes(): void {
		register_rest_route(
			Rest::NAMESPACE,
			'/engine',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( self::class, 'status' ),
					'permission_callback' => array( self::class, 'can_read' ),
					'args'                => array(),
				),
				'schema' => array( self::class, 'schema' ),
			)
		);
	}

	public static function can_read() {
		return Rest::require_cap( 'manage_options', __( 'Sorry, you are not allowed to see the engine status.', 'session-warden' ) );
	}

	/** GET /engine. */
	public static function status() {
		$status = Engine_Panel::status();
		$last   = Engine::last_error();
		$sha    = $status['sha256'];
		$want   = $status['expected_sha256'];
		return rest_ensure_response(
			array(
				'mode'            => $status['mode'],
				'serving'         => $status['serving'],
				'pinned'          => $status['pinned'],
				'socket'          => $status['socket'],
				'version'         => $status['version'],
				'sha256'          => $sha,
				'expected_sha256' => $want,
				'sha256_matches'  => null === $sha || null === $want ? null : hash_equals( $want, $sha ),
				'round_trip_ms'   => (object) $status['round_trip'],
				'errors'          => (object) $status['errors'],
				'serving_error'   => $status['serving_error'],
				'last_error'      => null === $last ? null : array(
					'time'    => (int) ( $last['time'] ?? 0 ),
					'op'      => (string) ( $last['op'] ?? '' ),
					'code'    => (string) ( $last['code'] ?? '' ),
					'message' => (string) ( $last['message'] ?? '' ),
				),
			)
		);
	}

	public static function schema(): array {
		$error = array(
			'type'       => array( 'object', 'null' ),
			'properties' => array(
				'code'    => array( 'type' => 'string' ),
				'message' => array( 'type' => 'string' ),
			),
		);
		return array(
			'$schema'    => 'http://json-schema.org/draft-04/schema#',
			'title'      => 'session-warden-engine',
			'type'       => 'object',
			'properties' => array(
				'mode'            => array(
					'type'        => 'string',
					'enum'        => array( 'daemon', 'process', 'runtime', 'unavailable' ),
					'description' => __( 'The fastest transport that answered.', 'session-warden' ),
				),
				'serving'         => array(
					'type'        => array( 'string', 'null' ),
					'description' => __( 'The transport that serves the site\'s requests now (pinned or chosen automatically).', 'session-warden' ),
				),
				'pinned'          => array( 'type' => array( 'string', 'null' ) ),
				'socket'          => array( 'type' => array( 'string', 'null' ) ),
				'version'         => array( 'type' => array( 'string', 'null' ) ),
				'sha256'          => array(
					'type'        => array( 'string', 'null' ),
					'description' => __( 'SHA-256 of the installed engine artifact.', 'session-warden' ),
				),
				'expected_sha256' => array(
					'type'        => array( 'string', 'null' ),
					'description' => __( 'SHA-256 of the artifact as listed in engine/SHA256SUMS.', 'session-warden' ),
				),
				'sha256_matches'  => array( 'type' => array( 'boolean', 'null' ) ),
				'round_trip_ms'   => array(
					'type'        => 'object',
					'description' => __( 'Median round trip of a version call, in milliseconds, by transport (null: it failed).', 'session-warden' ),
				),
				'errors'          => array( 'type' => 'object' ),
				'serving_error'   => $error,
				'last_error'      => array(
					'type'       => array( 'object', 'null' ),
					'properties' => array(
						'time'    => array( 'type' => 'integer' ),
						'op'      => array( 'type' => 'string' ),
						'code'    => array( 'type' => 'string' ),
						'message' => array( 'type' => 'string' ),
					),
				),
			),
		);
	}
}
