# What devstack's function library (../shared/devstack) leaves to the rest
# of devstack, for tests/functional/devstack/test_plugin.py. Sourced after
# the library; each function says where devstack defines the real one.
# Everything else the plugin calls is the library's own code.

# stack.sh
function echo_summary {
    echo "devstack: $*"
}

# lib/rpc_backend: the broker of this test (a vhost of its own).
function get_transport_url {
    echo "$GLANCE_SYNC_TEST_TRANSPORT_URL"
}

# lib/keystone, as devstack defines it.
function create_service_user {
    local role=${2:-service}
    local user
    user=$(get_or_create_user "$1" "$SERVICE_PASSWORD" "$SERVICE_DOMAIN_NAME")
    get_or_add_user_project_role "$role" "$user" "$SERVICE_PROJECT_NAME" \
        "$SERVICE_DOMAIN_NAME" "$SERVICE_DOMAIN_NAME" >/dev/null
}

# lib/keystone, reduced to the options it writes for a password account.
function configure_keystone_authtoken_middleware {
    local conf=$1 admin_user=$2 section=${3:-keystone_authtoken}
    iniset "$conf" "$section" auth_type password
    iniset "$conf" "$section" interface public
    iniset "$conf" "$section" auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" www_authenticate_uri "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" username "$admin_user"
    iniset "$conf" "$section" password "$SERVICE_PASSWORD"
    iniset "$conf" "$section" user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" "$section" project_name "$SERVICE_PROJECT_NAME"
    iniset "$conf" "$section" project_domain_name "$SERVICE_DOMAIN_NAME"
}

# systemd: functions-common's run_process hands the command to
# _run_under_systemd, and stop_process asks $SYSTEMCTL; this machine has
# no systemd running, so each service is a process group of its own with
# a pid file under $SERVICE_DIR.
function _run_under_systemd {
    local service=$1 command=$2 env_vars=$5
    mkdir -p "$SERVICE_DIR"
    # shellcheck disable=SC2086
    env $env_vars setsid bash -c "exec $command" \
        >"$SERVICE_DIR/$service.log" 2>&1 </dev/null &
    echo $! >"$SERVICE_DIR/$service.pid"
}

function fake_systemctl {
    local verb=$1 unit=${2#devstack@}
    unit=${unit%.service}
    local pidfile=$SERVICE_DIR/$unit.pid
    case $verb in
        is-enabled) [[ -f $pidfile ]] ;;
        stop)
            local pid i
            pid=$(cat "$pidfile")
            kill -TERM -- "-$pid" 2>/dev/null || true
            for i in $(seq 1 100); do
                kill -0 "$pid" 2>/dev/null || return 0
                sleep 0.1
            done
            kill -KILL -- "-$pid" 2>/dev/null || true ;;
        disable) rm -f "$pidfile" ;;
    esac
}
SYSTEMCTL=fake_systemctl
