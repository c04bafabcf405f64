<?php
/**
 * The REST namespace `session-warden/v1`: registers every route group and holds what they share
 * (permission errors, `me`, pagination headers, the session item shape).
 *
 * Each route group is its own class (Rest_Sessions, Rest_Events, Rest_Engine; Rest_Settings hooks itself); this one
 * only wires them on `rest_api_init`, so none of that code loads for a request that is not a REST call.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Rest {

	public const NAMESPACE = 'session-warden/v1';

	/** The keys of a session item, as the contract fixes them; anything else a producer adds is dropped. */

	/** `rest_api_init`. */
	public static function register_routes(): void {
		Rest_Sessions::register_routes();
		Rest_Events::register_routes();
		Rest_Engine::register_routes();
		// The settings routes (Rest_Settings) are registered by Plugin on their own: they come with the
		// uploaded country database's filter, which every request needs, not only REST ones.
	}

	/**
	 * The refusal for a request that lacks a capability: 401 when nobody is signed in (including a cookie
	 * request without its X-WP-Nonce, which WordPress treats as signed out), 403 otherwise.
	 *
	 * @param string $message What the requester may not do.
	 */
	public static function forbidden( string $message ): \WP_Error {
		return new \WP_Error( 'rest_forbidden', $message, array( 'status' => rest_authorization_required_code() ) );
	}

	/** The refusal for a request that must be signed in. */
	public static function not_logged_in(): \WP_Error {
		return new \WP_Error(
			'rest_not_logged_in',
			__( 'You are not currently logged in. (Cookie requests need the X-WP-Nonce header.)', 'session-warden' ),
			array( 'status' => 401 )
		);
	}

	/**
	 * A permission check on a capability, with the 401/403 refusal.
	 *
	 * @param string $capability Capability.
	 * @param string $message    Refusal message.
	 * @return true|\WP_Error
	 */
	public static function require_cap( string $capability, string $message ) {
		return current_user_can( $capability ) ? true : self::forbidden( $message );
	}

	/** Whether the current user may see and end other users' sessions. */
	public static function can_manage_sessions(): bool {
		return current_user_can( Session_Directory::CAP );
	}

	/**
	 * Whether the current user, holding the capability, may manage this user's sessions. Multisite: a site
	 * administrator manages only members of this site, and never a super admin's sessions (which span the
	 * network) unless a super admin too; single site: every user.
	 *
	 * @param int $user_id Target user.
	 */
	public static function may_manage_user( int $user_id ): bool {
		if ( get_current_user_id() === $user_id ) {
			return true;
		}
		if ( ! self::can_manage_sessions() ) {
			return false;
		}
		if ( ! is_multisite() || is_super_admin() ) {
			return true;
		}
		return ! is_super_admin( $user_id ) && is_user_member_of_blog( $user_id, get_current_blog_id() );
	}

	/** Args schema for a `{user}` path part: a user ID or `me` (validated explicitly, see Rest_Sessions::list_args()). */
	public static function user_arg(): array {
		return array(
			'description'       => __( 'A user ID, or "me" for the signed-in user.', 'session-warden' ),
			'type'              => 'string',
			'pattern'           => '^(me|[1-9][0-9]{0,19})$',
			'required'          => true,
			'sanitize_callback' => static fn ( $value ): string => strtolower( (string) $value ),
			'validate_callback' => 'rest_validate_request_arg',
		);
	}

	/** Args schema for a session id in the path or a body: opaque, URL-safe. */
	public static function session_id_schema(): array {
		return array(
			'description' => __( 'Opaque session id, as listed by the sessions routes.', 'session-warden' ),
			'type'        => 'string',
			'pattern'     => '^[A-Za-z0-9_-]{1,200}$',
		);
	}

	/**
	 * The user a `{user}` path part names.
	 *
	 * @param string $value `me` or a numeric ID (already validated by user_arg()).
	 * @return int|\WP_Error User ID; 401 for a signed-out `me`, 404 for an unknown user.
	 */
	public static function resolve_user( string $value ) {
		if ( 'me' === $value ) {
			$id = get_current_user_id();
			return $id > 0 ? $id : self::not_logged_in();
		}
		$id = (int) $value;
		if ( $id < 1 || ! get_userdata( $id ) ) {
			return new \WP_Error( 'session_warden_no_user', __( 'There is no user with that ID.', 'session-warden' ), array( 'status' => 404 ) );
		}
		return $id;
	}

	/**
	 * The `page` and `per_page` arguments of a list route (20 per page by default), whose answer goes
	 * through paginated().
	 *
	 * @param string $per_page What `per_page` counts, for its description (e.g. "Events per page.").
	 * @param int    $max      Largest page size.
	 */
	public static function paging_args( string $per_page, int $max ): array {
		return array(
			'page'     => array(
				'description' => __( 'Page of results (from 1).', 'session-warden' ),
				'type'        => 'integer',
				'minimum'     => 1,
				'default'     => 1,
			),
			'per_page' => array(
				'description' => $per_page,
				'type'        => 'integer',
				'minimum'     => 1,
				'maximum'     => $max,
				'default'     => 20,
			),
		);
	}

	/**
	 * A list response with core's pagination headers.
	 *
	 * @param array $items    Items of this page.
	 * @param int   $total    Items on every page.
	 * @param int   $per_page Page size.
	 */
	public static function paginated( array $items, int $total, int $per_page ): \WP_REST_Response {
		$response = rest_ensure_response( array_values( $items ) );
		$response->header( 'X-WP-Total', (string) max( 0, $total ) );
		$response->header( 'X-WP-TotalPages', (string) ( $total > 0 ? (int) ceil( $total / max( 1, $per_page ) ) : 0 ) );
		return $response;
	}

	/**
	 * A session item in exactly the contract's shape: the producer's array with only the listed keys, so
	 * nothing else (never a token or verifier) can reach a response by accident.
	 *
	 * @param array $item Item from Session_Directory.
	 */
	public static function session_item( array $item ): array {
		return Public_Items::session( $item );
	}

	/** The JSON schema of a session item (for the routes' OPTIONS / index). */
	public static function session_schema(): array {
		$nullable_string = array( 'type' => array( 'string', 'null' ) );
		return array(
			'$schema'    => 'http://json-schema.org/draft-04/schema#',
			'title'      => 'session-warden-session',
			'type'       => 'object',
			'properties' => array(
				'id'            => array(
					'type'        => 'string',
					'description' => __( 'Opaque session id (never the token or its verifier).', 'session-warden' ),
				),
				'user'          => array(
					'type'       => 'object',
					'properties' => array(
						'id'           => array( 'type' => 'integer' ),
						'login'        => array( 'type' => 'string' ),
						'display_name' => array( 'type' => 'string' ),
						'avatar'       => array( 'type' => 'string' ),
					),
				),
				'roles'         => array(
					'type'  => 'array',
					'items' => array( 'type' => 'string' ),
				),
				'login'         => array( 'type' => 'integer' ),
				'expiration'    => array( 'type' => 'integer' ),
				'last_activity' => array( 'type' => 'integer' ),
				'idle'          => array( 'type' => 'integer' ),
				'ip'            => array( 'type' => 'string' ),
				'country'       => array( 'type' => 'string' ),
				'device'        => array(
					'type'       => 'object',
					'properties' => array_fill_keys( Public_Items::DEVICE_KEYS, $nullable_string ),
				),
				'flags'         => array(
					'type'  => 'array',
					'items' => array( 'type' => 'string' ),
				),
				'current'       => array( 'type' => 'boolean' ),
			),
		);
	}

	/**
	 * A failure of the sessions service (a session backend that cannot be driven) as a REST error. The
	 * exception's own message goes to the PHP error log only: such messages can name verifiers.
	 *
	 * @param \Throwable $e Failure.
	 */
	public static function service_error( \Throwable $e ): \WP_Error {
		error_log( 'Session Warden REST: ' . get_class( $e ) . ': ' . $e->getMessage() ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
		return new \WP_Error(
			'session_warden_sessions_unavailable',
			__( 'The sessions could not be read or changed; the PHP error log has the details.', 'session-warden' ),
			array( 'status' => 500 )
		);
	}
}
