/**
 * The rule editors: the defaults (every field set) and the per-role and per-user rules (a field left
 * empty is taken from the defaults). Each editor shows one group of a rule's fields: the limits (and what
 * happens at a limit) on the Limits tab, idle and IP rules on the Idle & IP tab.
 */
import { __, sprintf } from '@wordpress/i18n';
import { useState } from '@wordpress/element';
import {
	Button,
	Card,
	CardBody,
	CardHeader,
	SelectControl,
	TextControl,
	ToggleControl,
} from '@wordpress/components';
import { errorsAt, formatPath, getIn } from './paths.js';
import {
	ChoiceField,
	Field,
	ListField,
	NumberField,
	TextField,
	ToggleField,
	TriStateField,
	duration,
} from './fields.js';

export const MODES = [
	{ value: 'logout_oldest', label: __( 'Sign out the oldest session', 'session-warden' ) },
	{ value: 'logout_all', label: __( 'Sign out all other sessions', 'session-warden' ) },
	{ value: 'block', label: __( 'Refuse the new sign-in', 'session-warden' ) },
	{ value: 'redirect', label: __( 'Refuse and send to a page', 'session-warden' ) },
];

export const LIMIT_KINDS = [
	{ value: 'user', label: __( 'Sessions of the user', 'session-warden' ) },
	{ value: 'ip', label: __( 'Sessions from one IP address', 'session-warden' ) },
	{ value: 'country', label: __( 'Sessions from one country', 'session-warden' ) },
	{ value: 'device_class', label: __( 'Sessions per device class (desktop, mobile, tablet…)', 'session-warden' ) },
	{ value: 'device_type', label: __( 'Sessions per device type', 'session-warden' ) },
	{ value: 'client_type', label: __( 'Sessions per client type (browser, app…)', 'session-warden' ) },
	{ value: 'browser', label: __( 'Sessions per browser', 'session-warden' ) },
	{ value: 'os', label: __( 'Sessions per operating system', 'session-warden' ) },
];

export const IP_SCOPES = [
	{ value: 'any', label: __( 'Any address', 'session-warden' ) },
	{ value: 'private_only', label: __( 'Private networks only (office, VPN)', 'session-warden' ) },
	{ value: 'public_only', label: __( 'Public addresses only', 'session-warden' ) },
];

const labelOf = ( options, value ) =>
	( options.find( ( o ) => o.value === value ) || {} ).label || String( value ?? '' );

const asDefaults = ( text ) =>
	/* translators: %s: the default value. */
	sprintf( __( 'As the defaults (%s)', 'session-warden' ), text );

/** The list of limits of a rule. */
function LimitsEditor( { doc, parts, errors, onChange, patch, defaults } ) {
	const list = getIn( doc, parts );
	const path = formatPath( parts );
	if ( patch && ! Array.isArray( list ) ) {
		return (
			<Field path={ path } errors={ errors } below>
				<ToggleControl
					label={ __( 'Own limits (otherwise the defaults’ limits apply)', 'session-warden' ) }
					checked={ false }
					onChange={ () => onChange( parts, [ ...( defaults.limits || [] ) ] ) }
				/>
			</Field>
		);
	}
	const rows = Array.isArray( list ) ? list : [];
	const used = rows.map( ( l ) => l && l.kind );
	const free = LIMIT_KINDS.filter( ( k ) => ! used.includes( k.value ) );
	return (
		<Field path={ path } errors={ errors } className="sw-limits">
			{ patch && (
				<ToggleControl
					label={ __( 'Own limits (otherwise the defaults’ limits apply)', 'session-warden' ) }
					checked
					onChange={ () => onChange( parts, null ) }
				/>
			) }
			{ rows.length === 0 && (
				<p className="sw-muted">
					{ patch
						? __( 'No limits: sessions are not limited for these users.', 'session-warden' )
						: __( 'No limits: everyone may have as many sessions as they like.', 'session-warden' ) }
				</p>
			) }
			{ rows.map( ( row, i ) => (
				<Field
					key={ i }
					path={ `${ path }[${ i }]` }
					errors={ errors }
					className="sw-limit-row"
				>
					<ChoiceField
						label={ __( 'Limit', 'session-warden' ) }
						doc={ doc }
						parts={ [ ...parts, i, 'kind' ] }
						errors={ errors }
						options={ LIMIT_KINDS }
						onChange={ onChange }
					/>
					<NumberField
						label={ __( 'At most', 'session-warden' ) }
						doc={ doc }
						parts={ [ ...parts, i, 'max' ] }
						errors={ errors }
						min={ 1 }
						max={ 1000 }
						onChange={ onChange }
					/>
					<Button
						variant="tertiary"
						isDestructive
						className="sw-remove"
						label={ __( 'Remove this limit', 'session-warden' ) }
						onClick={ () =>
							onChange(
								parts,
								rows.filter( ( _, j ) => j !== i )
							)
						}
					>
						{ __( 'Remove', 'session-warden' ) }
					</Button>
				</Field>
			) ) }
			{ free.length > 0 && (
				<Button
					variant="secondary"
					onClick={ () =>
						onChange( parts, [ ...rows, { kind: free[ 0 ].value, max: 1 } ] )
					}
				>
					{ __( 'Add a limit', 'session-warden' ) }
				</Button>
			) }
		</Field>
	);
}

/**
 * One group of a rule's fields.
 *
 * @param {Object}  props
 * @param {string}  props.group    'limits' or 'idle'.
 * @param {Array}   props.parts    Path of the rule (['defaults'] or ['roles', 2, 'rule']).
 * @param {boolean} props.patch    A role's or user's rule: empty fields come from the defaults.
 * @param {Object}  props.defaults The defaults, for the "as the defaults" labels.
 */
export function RuleGroup( { group, doc, parts, errors, onChange, patch = false, defaults = {} } ) {
	const rule = getIn( doc, parts ) || {};
	const common = { doc, errors, onChange, inherit: patch };
	const at = ( name ) => [ ...parts, name ];
	if ( group === 'limits' ) {
		const mode = rule.mode ?? ( patch ? defaults.mode : undefined );
		return (
			<div className="sw-rule-group">
				<LimitsEditor
					doc={ doc }
					parts={ at( 'limits' ) }
					errors={ errors }
					onChange={ onChange }
					patch={ patch }
					defaults={ defaults }
				/>
				<div className="sw-row">
					<ChoiceField
						{ ...common }
						parts={ at( 'mode' ) }
						label={ __( 'When a limit is reached', 'session-warden' ) }
						options={ MODES }
						inherit={ patch ? asDefaults( labelOf( MODES, defaults.mode ) ) : undefined }
					/>
					<NumberField
						{ ...common }
						parts={ at( 'max_ips' ) }
						label={ __( 'Different IP addresses at once', 'session-warden' ) }
						help={ __( '0 means no limit.', 'session-warden' ) }
						placeholder={ patch ? String( defaults.max_ips ?? 0 ) : '0' }
						max={ 1000 }
					/>
				</div>
				{ ( mode === 'redirect' || rule.redirect_url || errorsAt( errors, formatPath( at( 'redirect_url' ) ) ).length > 0 ) && (
					<TextField
						{ ...common }
						parts={ at( 'redirect_url' ) }
						label={ __( 'Send refused sign-ins to', 'session-warden' ) }
						help={ __( 'A path on this site such as /too-many-devices, or a full address starting with https://', 'session-warden' ) }
						placeholder={ patch ? defaults.redirect_url || '' : '/too-many-devices' }
					/>
				) }
				{ ( mode === 'block' || ( rule.message_key && rule.message_key !== 'limit_reached' ) ) && (
					<TextField
						{ ...common }
						parts={ at( 'message_key' ) }
						label={ __( 'Message key shown on refusal', 'session-warden' ) }
						help={ __( 'limit_reached is the built-in message; other keys come from the session_warden_messages option.', 'session-warden' ) }
						placeholder={ patch ? defaults.message_key || 'limit_reached' : 'limit_reached' }
					/>
				) }
			</div>
		);
	}
	const idle = rule.idle_timeout;
	return (
		<div className="sw-rule-group">
			<div className="sw-row">
				<NumberField
					{ ...common }
					parts={ at( 'idle_timeout' ) }
					label={ __( 'Sign out after inactivity (seconds)', 'session-warden' ) }
					help={
						idle
							? duration( idle )
							: patch && ( idle === null || idle === undefined )
							? asDefaults( defaults.idle_timeout ? duration( defaults.idle_timeout ) : __( 'never', 'session-warden' ) )
							: __( '0 means never; otherwise 60 seconds to one year.', 'session-warden' )
					}
					placeholder={ patch ? String( defaults.idle_timeout ?? 0 ) : '0' }
				/>
				{ patch ? (
					<TriStateField
						{ ...common }
						parts={ at( 'ip_binding' ) }
						label={ __( 'Bind each session to its IP address', 'session-warden' ) }
						inherit={ asDefaults( defaults.ip_binding ? __( 'on', 'session-warden' ) : __( 'off', 'session-warden' ) ) }
					/>
				) : (
					<ToggleField
						{ ...common }
						parts={ at( 'ip_binding' ) }
						label={ __( 'Bind each session to its IP address', 'session-warden' ) }
						help={ __( 'A session that shows up from another address is ended.', 'session-warden' ) }
					/>
				) }
			</div>
			<ChoiceField
				{ ...common }
				parts={ at( 'ip_scope' ) }
				label={ __( 'Sign-ins allowed from', 'session-warden' ) }
				options={ IP_SCOPES }
				inherit={ patch ? asDefaults( labelOf( IP_SCOPES, defaults.ip_scope ) ) : undefined }
			/>
			<div className="sw-row">
				<IpList { ...common } parts={ at( 'ip_allow' ) } patch={ patch } label={ __( 'Allow only these addresses', 'session-warden' ) } />
				<IpList { ...common } parts={ at( 'ip_deny' ) } patch={ patch } label={ __( 'Never allow these addresses', 'session-warden' ) } />
			</div>
		</div>
	);
}

function IpList( { doc, parts, errors, onChange, patch, label } ) {
	const value = getIn( doc, parts );
	const help = __( 'One address (203.0.113.7) or range (203.0.113.0/24) per line.', 'session-warden' );
	if ( patch && ! Array.isArray( value ) ) {
		return (
			<Field path={ formatPath( parts ) } errors={ errors } below>
				<ToggleControl
					label={ sprintf( /* translators: %s: list name */ __( '%s: own list (otherwise the defaults’)', 'session-warden' ), label ) }
					checked={ false }
					onChange={ () => onChange( parts, [] ) }
				/>
			</Field>
		);
	}
	return (
		<div className="sw-iplist">
			{ patch && (
				<ToggleControl
					label={ sprintf( /* translators: %s: list name */ __( '%s: own list (otherwise the defaults’)', 'session-warden' ), label ) }
					checked
					onChange={ () => onChange( parts, null ) }
				/>
			) }
			<ListField doc={ doc } parts={ parts } errors={ errors } onChange={ onChange } label={ patch ? '' : label } help={ help } />
		</div>
	);
}

/** The per-role rules. */
export function RoleRules( { group, doc, errors, onChange, roles } ) {
	const list = Array.isArray( doc.roles ) ? doc.roles : [];
	const used = list.map( ( r ) => r && r.role );
	const free = roles.filter( ( r ) => ! used.includes( r.slug ) );
	const [ pick, setPick ] = useState( '' );
	const chosen = free.some( ( r ) => r.slug === pick ) ? pick : free[ 0 ]?.slug ?? '';
	const options = ( current ) => {
		const o = roles.map( ( r ) => ( { value: r.slug, label: r.name } ) );
		return current && ! roles.some( ( r ) => r.slug === current ) ? [ ...o, { value: current, label: current } ] : o;
	};
	return (
		<div className="sw-rule-list">
			{ list.length === 0 && (
				<p className="sw-muted">{ __( 'No role has its own rule: the defaults apply to every role.', 'session-warden' ) }</p>
			) }
			{ list.map( ( item, i ) => (
				<Card key={ i } className="sw-rule-card" size="small">
					<CardHeader>
						<ChoiceField
							doc={ doc }
							parts={ [ 'roles', i, 'role' ] }
							errors={ errors }
							onChange={ onChange }
							label={ __( 'Role', 'session-warden' ) }
							options={ options( item && item.role ) }
						/>
						<Button variant="tertiary" isDestructive onClick={ () => onChange( [ 'roles' ], list.filter( ( _, j ) => j !== i ) ) }>
							{ __( 'Remove rule', 'session-warden' ) }
						</Button>
					</CardHeader>
					<CardBody>
						<Field path={ `roles[${ i }]` } errors={ errors }>
							<RuleGroup group={ group } doc={ doc } parts={ [ 'roles', i, 'rule' ] } errors={ errors } onChange={ onChange } patch defaults={ doc.defaults || {} } />
						</Field>
					</CardBody>
				</Card>
			) ) }
			<Field path="roles" errors={ errors }>
				{ free.length > 0 && (
					<div className="sw-add">
						<SelectControl
							label={ __( 'Role', 'session-warden' ) }
							hideLabelFromVision
							value={ chosen }
							options={ free.map( ( r ) => ( { value: r.slug, label: r.name } ) ) }
							onChange={ setPick }
						/>
						<Button variant="secondary" onClick={ () => onChange( [ 'roles' ], [ ...list, { role: chosen, rule: {} } ] ) }>
							{ __( 'Add a rule for this role', 'session-warden' ) }
						</Button>
					</div>
				) }
			</Field>
		</div>
	);
}

/** The per-user rules. */
export function UserRules( { group, doc, errors, onChange, users } ) {
	const list = Array.isArray( doc.users ) ? doc.users : [];
	const [ id, setId ] = useState( '' );
	return (
		<div className="sw-rule-list">
			{ list.length === 0 && (
				<p className="sw-muted">{ __( 'No user has a rule of their own.', 'session-warden' ) }</p>
			) }
			{ list.map( ( item, i ) => (
				<Card key={ i } className="sw-rule-card" size="small">
					<CardHeader>
						<NumberField
							doc={ doc }
							parts={ [ 'users', i, 'user_id' ] }
							errors={ errors }
							onChange={ onChange }
							label={ __( 'User ID', 'session-warden' ) }
							min={ 1 }
						/>
						<span className="sw-user-label">{ users[ String( item && item.user_id ) ] || '' }</span>
						<Button variant="tertiary" isDestructive onClick={ () => onChange( [ 'users' ], list.filter( ( _, j ) => j !== i ) ) }>
							{ __( 'Remove rule', 'session-warden' ) }
						</Button>
					</CardHeader>
					<CardBody>
						<Field path={ `users[${ i }]` } errors={ errors }>
							<RuleGroup group={ group } doc={ doc } parts={ [ 'users', i, 'rule' ] } errors={ errors } onChange={ onChange } patch defaults={ doc.defaults || {} } />
						</Field>
					</CardBody>
				</Card>
			) ) }
			<Field path="users" errors={ errors }>
				<div className="sw-add">
					<TextControl
						label={ __( 'User ID', 'session-warden' ) }
						hideLabelFromVision
						placeholder={ __( 'User ID', 'session-warden' ) }
						type="number"
						min={ 1 }
						value={ id }
						onChange={ setId }
					/>
					<Button
						variant="secondary"
						disabled={ ! /^\d+$/.test( id ) }
						onClick={ () => {
							onChange( [ 'users' ], [ ...list, { user_id: Number( id ), rule: {} } ] );
							setId( '' );
						} }
					>
						{ __( 'Add a rule for this user', 'session-warden' ) }
					</Button>
				</div>
			</Field>
		</div>
	);
}
