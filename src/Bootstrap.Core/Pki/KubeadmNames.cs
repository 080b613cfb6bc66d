namespace Bootstrap.Core.Pki;

/// <summary>
/// Names kubeadm v1.20 uses for subjects and files (cmd/kubeadm/app/constants), so that hosts set
/// up by Bootstrap look the same to kubeadm and to people who know kubeadm clusters.
/// </summary>
internal static class KubeadmNames
{
    public const string MastersGroup = "system:masters";
    public const string NodesGroup = "system:nodes";
    public const string NodesUserPrefix = "system:node:";
    public const string AdminUser = "kubernetes-admin";
    public const string ControllerManagerUser = "system:kube-controller-manager";
    public const string SchedulerUser = "system:kube-scheduler";

    public const string CaCommonName = "kubernetes";
    public const string EtcdCaCommonName = "etcd-ca";
    public const string FrontProxyCaCommonName = "front-proxy-ca";
    public const string ApiServerCommonName = "kube-apiserver";
    public const string ApiServerKubeletClientCommonName = "kube-apiserver-kubelet-client";
    public const string ApiServerEtcdClientCommonName = "kube-apiserver-etcd-client";
    public const string FrontProxyClientCommonName = "front-proxy-client";
    public const string EtcdHealthcheckClientCommonName = "kube-etcd-healthcheck-client";

    public const string AdminKubeconfig = "admin.conf";
    public const string ControllerManagerKubeconfig = "controller-manager.conf";
    public const string SchedulerKubeconfig = "scheduler.conf";
    public const string KubeletKubeconfig = "kubelet.conf";
}
