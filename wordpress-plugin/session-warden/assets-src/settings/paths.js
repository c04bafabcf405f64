/**
 * Settings paths as the engine writes them in field errors (`roles[1].rule.limits[0].max`), and
 * immutable reads and writes of the settings document by path.
 */

/** "roles[1].rule.max" → [ 'roles', 1, 'rule', 'max' ]. */
export function parsePath( path ) {
	const out = [];
	for ( const part of String( path ).split( '.' ) ) {
		if ( part === '' ) {
			continue;
		}
		const re = /([^[\]]+)|\[(\d+)\]/g;
		let m;
		while ( ( m = re.exec( part ) ) ) {
			out.push( m[ 1 ] !== undefined ? m[ 1 ] : Number( m[ 2 ] ) );
		}
	}
	return out;
}

/** [ 'roles', 1, 'rule' ] → "roles[1].rule". */
export function formatPath( parts ) {
	let out = '';
	for ( const p of parts ) {
		if ( typeof p === 'number' ) {
			out += `[${ p }]`;
		} else {
			out += out === '' ? p : `.${ p }`;
		}
	}
	return out;
}

export function getIn( obj, parts ) {
	let cur = obj;
	for ( const p of parts ) {
		if ( cur === null || cur === undefined ) {
			return undefined;
		}
		cur = cur[ p ];
	}
	return cur;
}

/** A copy of obj with the value at parts replaced (objects and lists on the way are copied). */
export function setIn( obj, parts, value ) {
	if ( parts.length === 0 ) {
		return value;
	}
	const [ head, ...rest ] = parts;
	const base =
		obj !== null && typeof obj === 'object'
			? obj
			: typeof head === 'number'
			? []
			: {};
	const copy = Array.isArray( base ) ? [ ...base ] : { ...base };
	copy[ head ] = setIn( base[ head ], rest, value );
	return copy;
}

/** A copy of the list at parts without item i. */
export function removeAt( obj, parts, i ) {
	const list = getIn( obj, parts ) || [];
	return setIn(
		obj,
		parts,
		list.filter( ( _, j ) => j !== i )
	);
}

/**
 * Errors at a path: its own, and (with `below`) those of anything inside it. The engine reports a
 * list entry as `path[3]` and a whole list as `path`.
 *
 * @param {Array}   errors [{field, value, message}].
 * @param {string}  path   Field path.
 * @param {boolean} below  Include errors of fields inside it.
 */
export function errorsAt( errors, path, below = false ) {
	return errors.filter(
		( e ) =>
			e.field === path ||
			( below &&
				( e.field.startsWith( path + '.' ) ||
					e.field.startsWith( path + '[' ) ) )
	);
}

/** Which tab shows the field at a path (for the error counts on the tabs). */
export function tabOf( path ) {
	const parts = parsePath( path );
	const [ first ] = parts;
	const last = [ ...parts ].reverse().find( ( p ) => typeof p === 'string' );
	const idleFields = [
		'idle_timeout',
		'ip_binding',
		'ip_scope',
		'ip_allow',
		'ip_deny',
	];
	switch ( first ) {
		case 'client_ip':
			return 'proxies';
		case 'flags':
			return parts[ 1 ] === 'country_anomaly' ? 'geo' : 'idle';
		case 'notifications':
		case 'idle_warning':
			return 'notifications';
		case 'fail_closed_roles':
			return 'engine';
		case 'retention_days':
			return 'retention';
		case 'activity_interval':
		case 'password_change_logout':
			return 'idle';
		case 'defaults':
		case 'roles':
		case 'users':
			if ( idleFields.includes( last ) ) {
				return 'idle';
			}
			// ip_allow[3] ends in a number; the field name is the last string.
			return 'limits';
		default:
			return 'limits';
	}
}

/** Text → a number when it is one, so the engine checks the value itself (and "1.5", "-2" get its message). */
export function numberish( text ) {
	const t = String( text ).trim();
	if ( t === '' ) {
		return '';
	}
	return /^-?\d+(\.\d+)?$/.test( t ) ? Number( t ) : t;
}
