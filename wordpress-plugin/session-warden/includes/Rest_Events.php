<?php
/**
 * REST route for the event log: GET /events?user=&type=&since=&until=&page=&per_page=, newest first,
 * with core's pagination headers. Needs the sessions capability.
 *
 * The log is one table for a whole network; on multisite only network administrators read every site's
 * events, a site's administrators read that site's.
 *
 * Events keep the ended session's verifier (for joins inside the plugin); the route shows the session's
 * opaque id instead, and drops verifier- or token-named keys from the extra data.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Rest_Events {

	/** Most events per page. */
	public const MAX_PER_PAGE = 100;

	/** Keys that never leave the server, at any depth of an event's data. */
	public static function register_routes(): void {
		register_rest_route(
			Rest::NAMESPACE,
			'/events',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( self::class, 'list_events' ),
					'permission_callback' => array( self::class, 'can_read' ),
					'args'                => self::args(),
				),
				'schema' => array( self::class, 'schema' ),
			)
		);
	}

	private static function args(): array {
		return array(
			'user'     => array(
				'description' => __( 'Only this user\'s events (0: events without a user, such as failed logins for unknown names).', 'session-warden' ),
				'type'        => 'integer',
				'minimum'     => 0,
			),
			'type'     => array(
				'description' => __( 'Only events of this type.', 'session-warden' ),
				'type'        => 'string',
				'enum'        => Events::TYPES,
			),
			'since'    => array(
				'description' => __( 'Only events at or after this time (Unix seconds).', 'session-warden' ),
				'type'        => 'integer',
				'minimum'     => 0,
			),
			'until'    => array(
				'description' => __( 'Only events at or before this time (Unix seconds).', 'session-warden' ),
				'type'        => 'integer',
				'minimum'     => 0,
			),
		) + Rest::paging_args( __( 'Events per page.', 'session-warden' ), self::MAX_PER_PAGE );
	}

	/** The sessions capability. */
	public static function can_read() {
		return Rest::require_cap( Session_Directory::CAP, __( 'Sorry, you are not allowed to read the session event log.', 'session-warden' ) );
	}

	/**
	 * GET /events.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public static function list_events( \WP_REST_Request $request ) {
		$filters = array();
		if ( null !== $request['user'] ) {
			$filters['user_id'] = (int) $request['user'];
		}
		if ( null !== $request['type'] ) {
			$filters['type'] = (string) $request['type'];
		}
		foreach ( array( 'since', 'until' ) as $key ) {
			if ( null !== $request[ $key ] ) {
				$filters[ $key ] = (int) $request[ $key ];
			}
		}
		if ( isset( $filters['since'], $filters['until'] ) && $filters['since'] > $filters['until'] ) {
			return new \WP_Error(
				'rest_invalid_param',
				__( 'Invalid parameter(s): since, until (since is after until).', 'session-warden' ),
				array(
					'status' => 400,
					'params' => array( 'since' => __( 'since must not be after until.', 'session-warden' ) ),
				)
			);
		}
		if ( is_multisite() && ! current_user_can( 'manage_network_options' ) ) {
			$filters['site_id'] = get_current_blog_id();
		}

		$per_page = (int) $request['per_page'];
		$page     = (int) $request['page'];
		$total    = Events::count( $filters );
		$events   = Events::query(
			$filters + array(
				'limit'  => $per_page,
				'offset' => ( $page - 1 ) * $per_page,
			)
		);
		return Rest::paginated( array_map( array( self::class, 'item' ), $events ), $total, $per_page );
	}

	/**
	 * One event as the route shows it.
	 *
	 * @param array $event Event from Events::query().
	 */
	public static function item( array $event ): array {
		return Public_Items::event( $event );
	}

	/** JSON schema of an event item. */
	public static function schema(): array {
		return array(
			'$schema'    => 'http://json-schema.org/draft-04/schema#',
			'title'      => 'session-warden-event',
			'type'       => 'object',
			'properties' => array(
				'id'      => array( 'type' => 'integer' ),
				'time'    => array(
					'type'        => 'integer',
					'description' => __( 'Unix time of the event.', 'session-warden' ),
				),
				'site_id' => array( 'type' => 'integer' ),
				'user'    => array(
					'type'       => 'object',
					'properties' => array(
						'id'           => array( 'type' => 'integer' ),
						'login'        => array( 'type' => array( 'string', 'null' ) ),
						'display_name' => array( 'type' => array( 'string', 'null' ) ),
					),
				),
				'type'    => array( 'type' => 'string' ),
				'reason'  => array( 'type' => 'string' ),
				'session' => array(
					'type'        => array( 'string', 'null' ),
					'description' => __( 'Opaque id of the session the event is about.', 'session-warden' ),
				),
				'ip'      => array( 'type' => 'string' ),
				'country' => array( 'type' => 'string' ),
				'device'  => array( 'type' => 'string' ),
				'data'    => array( 'type' => array( 'object', 'null' ) ),
			),
		);
	}
}
