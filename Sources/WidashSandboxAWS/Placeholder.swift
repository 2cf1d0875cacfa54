// AWS emulation (STS, IAM, EKS, eks-auth)
