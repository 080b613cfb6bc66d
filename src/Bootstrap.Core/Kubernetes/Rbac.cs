using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>Small builders for the RBAC objects kubeadm creates: one rule, subjects by kind.</summary>
internal static class Rbac
{
    /// <summary>A rule granting <c>get</c> on one named ConfigMap, the shape kubeadm uses for every ConfigMap a node reads.</summary>
    public static V1PolicyRule GetConfigMap(string name) => new()
    {
        Verbs = ["get"],
        ApiGroups = [""],
        Resources = ["configmaps"],
        ResourceNames = [name],
    };

    public static Rbacv1Subject Group(string name) => new() { Kind = "Group", ApiGroup = KubeadmObjectNames.RbacApiGroup, Name = name };

    public static Rbacv1Subject User(string name) => new() { Kind = "User", ApiGroup = KubeadmObjectNames.RbacApiGroup, Name = name };

    public static Rbacv1Subject ServiceAccount(string name, string ns) => new() { Kind = "ServiceAccount", Name = name, NamespaceProperty = ns };

    public static V1Role Role(string name, string ns, V1PolicyRule rule) => new()
    {
        ApiVersion = KubeadmObjectNames.RbacApiVersion,
        Kind = "Role",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Rules = [rule],
    };

    public static V1RoleBinding RoleBinding(string name, string ns, string role, params Rbacv1Subject[] subjects) => new()
    {
        ApiVersion = KubeadmObjectNames.RbacApiVersion,
        Kind = "RoleBinding",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        RoleRef = new V1RoleRef { ApiGroup = KubeadmObjectNames.RbacApiGroup, Kind = "Role", Name = role },
        Subjects = subjects,
    };

    public static V1ClusterRole ClusterRole(string name, V1PolicyRule rule) => new()
    {
        ApiVersion = KubeadmObjectNames.RbacApiVersion,
        Kind = "ClusterRole",
        Metadata = new V1ObjectMeta { Name = name },
        Rules = [rule],
    };

    public static V1ClusterRoleBinding ClusterRoleBinding(string name, string clusterRole, params Rbacv1Subject[] subjects) => new()
    {
        ApiVersion = KubeadmObjectNames.RbacApiVersion,
        Kind = "ClusterRoleBinding",
        Metadata = new V1ObjectMeta { Name = name },
        RoleRef = new V1RoleRef { ApiGroup = KubeadmObjectNames.RbacApiGroup, Kind = "ClusterRole", Name = clusterRole },
        Subjects = subjects,
    };

    public static V1ConfigMap ConfigMap(string name, string ns, IDictionary<string, string> data) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Data = data,
    };
}
