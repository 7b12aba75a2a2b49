//! The registry: every rule, in id order. This table is the list of contents; a rule that is not
//! here does not exist.

use crate::checks::*;
use crate::Rule;

/// Every rule dockaudit has, in id order.
pub static RULES: &[Rule] = &[
    ctr001_privileged_container::RULE,
    ctr002_container_runs_as_root::RULE,
    ctr003_apparmor_unconfined::RULE,
    ctr004_selinux_options_missing::RULE,
    ctr005_capabilities_added::RULE,
    ctr006_sshd_running::RULE,
    ctr007_host_pid_namespace::RULE,
    ctr008_host_ipc_namespace::RULE,
    ctr009_host_uts_namespace::RULE,
    ctr010_host_user_namespace::RULE,
    ctr011_writable_root_filesystem::RULE,
    ctr012_host_device_exposed::RULE,
    ctr013_seccomp_unconfined::RULE,
    ctr014_no_new_privileges_missing::RULE,
    ctr015_healthcheck_missing::RULE,
    ctr016_container_unhealthy::RULE,
    ctr017_secret_in_environment::RULE,
    ctr018_suspicious_process::RULE,
    ctr019_full_os_container::RULE,
    img001_image_runs_as_root::RULE,
    img002_image_healthcheck_missing::RULE,
    img003_image_update_alone::RULE,
    img004_image_add_instruction::RULE,
    img005_secret_in_image::RULE,
    img006_image_reference_unpinned::RULE,
    net001_host_network_mode::RULE,
    net002_privileged_host_port::RULE,
    net003_port_on_all_interfaces::RULE,
    net004_sensitive_port_exposed::RULE,
    net005_publish_all_ports::RULE,
    net006_default_bridge_network::RULE,
    mnt001_engine_socket_mounted::RULE,
    mnt002_sensitive_host_path_mounted::RULE,
    mnt003_shared_mount_propagation::RULE,
    log001_logging_disabled::RULE,
    log002_log_rotation_missing::RULE,
    log003_container_restarting::RULE,
    log004_suspicious_log_lines::RULE,
    res001_memory_limit_missing::RULE,
    res002_cpu_limit_missing::RULE,
    res003_pids_limit_missing::RULE,
    res004_restart_policy_unbounded::RULE,
    res005_ulimit_unlimited::RULE,
    res006_custom_cgroup_parent::RULE,
    lcy001_dangling_image::RULE,
    lcy002_unused_image::RULE,
    lcy003_stopped_container::RULE,
    lcy004_unused_volume::RULE,
    lcy005_unused_network::RULE,
];

/// The rule with this id (case-insensitive).
pub fn find_rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.meta.id.eq_ignore_ascii_case(id))
}
